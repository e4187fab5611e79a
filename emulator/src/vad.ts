/**
 * Energy-based voice activity detection with the knobs of `server_vad`:
 * `threshold` (0..1, higher needs louder speech), `prefix_padding_ms`
 * (reported start moves back by it) and `silence_duration_ms` (quiet time
 * that ends a turn). Fed 10 ms frames; positions are milliseconds of input
 * audio since the call began, as the service reports them.
 */
import { rms } from './audio.js';

export interface VadSettings {
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
}

export type VadEvent = { kind: 'start'; audioStartMs: number } | { kind: 'stop'; audioEndMs: number; speechMs: number };

/** Frames above the level needed before speech counts: a click or a pop is not a turn. */
const ONSET_MS = 60;

export class EnergyVad {
  #positionMs = 0;
  #speaking = false;
  #loudRunMs = 0;
  #quietRunMs = 0;
  #startMs = 0;
  #lastLoudMs = 0;

  constructor(public settings: VadSettings) {}

  /** RMS (0..1) a frame needs to count as speech: threshold 0.5 ≈ −33 dBFS, 0 ≈ −54 dBFS, 1 ≈ −26 dBFS. */
  get level(): number {
    return 0.002 + this.settings.threshold * 0.046;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  get positionMs(): number {
    return this.#positionMs;
  }

  reset(): void {
    this.#speaking = false;
    this.#loudRunMs = this.#quietRunMs = 0;
  }

  /** Feeds one frame; returns a start or stop when one happens at its end. */
  push(samples: Int16Array, durationMs: number, channels = 1): VadEvent | undefined {
    this.#positionMs += durationMs;
    const loud = rms(samples, channels) >= this.level;
    if (loud) {
      this.#loudRunMs += durationMs;
      this.#quietRunMs = 0;
      this.#lastLoudMs = this.#positionMs;
    } else {
      this.#quietRunMs += durationMs;
      this.#loudRunMs = 0;
    }
    if (!this.#speaking && this.#loudRunMs >= ONSET_MS) {
      this.#speaking = true;
      this.#startMs = Math.max(0, this.#positionMs - this.#loudRunMs - this.settings.prefix_padding_ms);
      return { kind: 'start', audioStartMs: this.#startMs };
    }
    if (this.#speaking && this.#quietRunMs >= this.settings.silence_duration_ms) {
      this.#speaking = false;
      return {
        kind: 'stop',
        audioEndMs: this.#positionMs,
        speechMs: Math.max(0, this.#lastLoudMs - this.#startMs - this.settings.prefix_padding_ms),
      };
    }
    return undefined;
  }
}
