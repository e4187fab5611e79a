/**
 * Input and output loudness for meters and custom visualizers. All widgets
 * of a page share one AudioContext (browsers cap how many may exist, and
 * each costs an audio thread); it is created inside the click that starts a
 * call, so it is allowed to run, and closed when the last user lets go.
 */
let shared: AudioContext | undefined;
let users = 0;

export function acquireAudioContext(): AudioContext | undefined {
  if (typeof AudioContext === 'undefined') return undefined;
  // 'playback': the meters need no low latency; bigger audio buffers wake the audio thread less often.
  if (!shared || shared.state === 'closed') {
    shared = new AudioContext({ latencyHint: 'playback' });
    shared.addEventListener('statechange', (event) => resumeWhenInterrupted(event.currentTarget as AudioContext));
  }
  users++;
  // Resuming inside the user's gesture is what lets iOS Safari start it.
  void shared.resume().catch(() => {});
  return shared;
}

/**
 * Safari suspends the context for a phone call, Siri or an audio route change (state
 * "interrupted", or "suspended") and may not resume it: the meters would freeze at zero. Resume it
 * when the page is visible again, and at the next touch, click or key press (a gesture lets it
 * start where nothing else may).
 */
function resumeWhenInterrupted(context: AudioContext): void {
  if (waiting || context !== shared || users === 0 || context.state === 'running' || context.state === 'closed') return;
  waiting = true;
  const events = ['pointerdown', 'keydown', 'visibilitychange'] as const;
  const stopWaiting = () => {
    waiting = false;
    events.forEach((type) => document.removeEventListener(type, retry, true));
  };
  function retry() {
    if (context !== shared || context.state === 'running' || context.state === 'closed') return stopWaiting();
    void context.resume().then(
      () => context.state === 'running' && stopWaiting(),
      () => {},
    );
  }
  events.forEach((type) => document.addEventListener(type, retry, true));
  retry();
}
let waiting = false;

export function releaseAudioContext(): void {
  if (users === 0 || --users > 0) return;
  void shared?.close().catch(() => {});
  shared = undefined;
}

/** 0 (silence) to 1 (loud) from a sum of squared samples: their RMS, scaled so speech sits mid-range. */
export const levelOf = (sumOfSquares: number, count: number): number =>
  Math.min(1, Math.sqrt(sumOfSquares / count) * 4);

/** A level in steps of 1/50: silence or a steady sound gives the same number each time, so a change can be told. */
export const inSteps = (level: number): number => Math.round(level * 50) / 50;

/** One stream's level: an AnalyserNode tapped off the stream, never connected to the speakers. */
export class LevelMeter {
  readonly #source: MediaStreamAudioSourceNode;
  readonly #analyser: AnalyserNode;
  readonly #samples: Float32Array<ArrayBuffer>;

  constructor(
    context: AudioContext,
    readonly stream: MediaStream,
  ) {
    this.#source = context.createMediaStreamSource(stream);
    this.#analyser = context.createAnalyser();
    this.#analyser.fftSize = 512;
    this.#samples = new Float32Array(this.#analyser.fftSize);
    this.#source.connect(this.#analyser);
  }

  /** 0 (silence) to 1 (loud): RMS of the last ~10 ms, scaled so speech sits mid-range. */
  get level(): number {
    this.#analyser.getFloatTimeDomainData(this.#samples);
    const samples = this.#samples;
    let sum = 0;
    // Indexed, not for…of: called 30 times a second, this stays in V8's interpreter a long while, where an
    // iterator step costs several times an index.
    for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
    return levelOf(sum, samples.length);
  }

  dispose(): void {
    this.#source.disconnect();
  }
}

/** The name the levels' AudioWorklet processor is registered under. */
export const LEVELS_PROCESSOR = 'realtime-voice-levels';

/** The AudioWorklet scope's own names (TypeScript's DOM library has none of them). */
interface WorkletScope {
  registerProcessor?(name: string, processor: unknown): void;
  AudioWorkletProcessor: new () => { readonly port: MessagePort };
  sampleRate: number;
}

/**
 * In an AudioWorklet's scope (the meters part's own file, loaded by `audioWorklet.addModule`): registers
 * a processor that measures its two inputs (the microphone, the model's voice) on the audio thread over
 * each period (ms, 66 unless told; `{ period }`, `{ paused }` to its port) and posts `[input, output]`
 * when either differs from what it posted last. The page then runs no timer and reads no analyser,
 * and while nobody speaks (both levels steady, most often 0) its main thread is not woken at all: a
 * timer of the page's, even one that found nothing new, is a task 15 times a second. Elsewhere (a
 * page, a worker) it does nothing.
 */
export function registerLevelsProcessor(): void {
  const scope = globalThis as unknown as WorkletScope;
  if (typeof scope.registerProcessor !== 'function') return;
  class Levels extends scope.AudioWorkletProcessor {
    sums = [0, 0];
    frames = 0;
    period = 66;
    paused = false;
    /** What the page was last told (none yet: the first period's levels always go). */
    posted = [-1, -1];
    constructor() {
      super();
      this.port.onmessage = ({ data }) => Object.assign(this, data);
    }
    process(inputs: Float32Array[][]): boolean {
      for (let k = 0; k < 2; k++) {
        const samples = inputs[k]?.[0];
        if (samples) for (let i = 0; i < samples.length; i++) this.sums[k]! += samples[i]! * samples[i]!;
      }
      // A render quantum is 128 frames, whether or not an input is connected.
      this.frames += 128;
      if (this.frames < (scope.sampleRate * this.period) / 1000) return true;
      // The page's own measure, over the whole period.
      const levels = this.sums.map((sum) => inSteps(levelOf(sum, this.frames)));
      if (!this.paused && levels.some((level, k) => level !== this.posted[k])) {
        this.port.postMessage(levels);
        this.posted = levels;
      }
      this.sums = [0, 0];
      this.frames = 0;
      return true;
    }
  }
  scope.registerProcessor(LEVELS_PROCESSOR, Levels);
}
