/**
 * The emulator's voice: paces 48 kHz PCM into a WebRTC audio track in real
 * time, 10 ms per frame, silence between utterances (so the track never
 * stalls), and tells the conversation how far playback has got, which is
 * what tells how much of an answer was heard when it is cut, and makes
 * `output_audio_buffer.stopped` mean "the buffer drained".
 */
import { FRAME, RATE } from './audio.js';

export interface AudioFrameSink {
  onData(data: {
    samples: Int16Array;
    sampleRate: number;
    bitsPerSample: number;
    channelCount: number;
    numberOfFrames: number;
  }): void;
}

export interface Utterance {
  samples: Int16Array;
  /** Called on every frame with the milliseconds played so far. */
  onProgress?(playedMs: number): void;
  onEnd?(): void;
}

const TICK_MS = 10;
/** After a stall (a busy event loop) catch up at most this many frames at once, instead of a burst. */
const MAX_CATCH_UP = 10;

export class Speaker {
  #queue: Utterance[] = [];
  #offset = 0;
  #timer?: ReturnType<typeof setInterval>;
  #started = 0;
  #sent = 0;
  readonly #silence = new Int16Array(FRAME);

  constructor(private readonly sink: AudioFrameSink) {}

  start(): void {
    if (this.#timer) return;
    this.#started = performance.now();
    this.#sent = 0;
    this.#timer = setInterval(() => this.#tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }

  get busy(): boolean {
    return this.#queue.length > 0;
  }

  play(utterance: Utterance): void {
    this.#queue.push(utterance);
  }

  /** Drops everything queued; returns the milliseconds of the current utterance that were played. */
  clear(): number {
    const played = Math.round((this.#offset / RATE) * 1000);
    this.#queue = [];
    this.#offset = 0;
    return played;
  }

  /** Ends the current utterance at `ms` (its audio after that was never generated); onEnd comes there. */
  endAt(ms: number): void {
    const current = this.#queue[0];
    if (!current) return;
    const end = Math.max(this.#offset, Math.round((ms / 1000) * RATE));
    if (end < current.samples.length) current.samples = current.samples.subarray(0, end);
  }

  #tick(): void {
    const due = Math.floor((performance.now() - this.#started) / TICK_MS) - this.#sent;
    const frames = Math.min(due, MAX_CATCH_UP);
    if (due > MAX_CATCH_UP) this.#sent += due - MAX_CATCH_UP;
    try {
      for (let i = 0; i < frames && this.#timer; i++) this.#sendFrame();
    } catch (error) {
      // A timer callback that throws would end the whole process (every call with it).
      console.error('[emulator] audio frame failed:', (error as Error).message);
    }
  }

  #sendFrame(): void {
    this.#sent++;
    const current = this.#queue[0];
    let samples = this.#silence;
    if (current) {
      samples = new Int16Array(FRAME);
      samples.set(current.samples.subarray(this.#offset, this.#offset + FRAME));
      this.#offset += FRAME;
      current.onProgress?.(Math.round((Math.min(this.#offset, current.samples.length) / RATE) * 1000));
      if (this.#offset >= current.samples.length) {
        this.#queue.shift();
        this.#offset = 0;
        current.onEnd?.();
      }
    }
    this.sink.onData({ samples, sampleRate: RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME });
  }
}
