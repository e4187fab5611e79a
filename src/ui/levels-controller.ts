import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { acquireAudioContext, LevelMeter, releaseAudioContext } from '../audio/levels.js';

export interface LevelSources {
  readonly localStream?: MediaStream;
  readonly remoteStream?: MediaStream;
}

/**
 * Drives the level meters: once per animation frame (4 times a second under
 * `prefers-reduced-motion`), it reads both levels and hands them to `draw`.
 * Animation frames do not run in hidden tabs, so nothing is drawn or
 * computed there. Streams are re-tapped when they change (a new microphone,
 * a reconnection).
 */
export class LevelsController implements ReactiveController {
  input = 0;
  output = 0;
  #context?: AudioContext;
  #in?: LevelMeter;
  #out?: LevelMeter;
  #frame = 0;
  #last = 0;
  readonly #calm = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly sources: LevelSources,
    private readonly draw: (input: number, output: number) => void,
  ) {
    host.addController(this);
  }

  /** Call inside the click that starts the call: only then may the shared AudioContext run. */
  start(): void {
    this.#context ??= acquireAudioContext();
    if (this.#context && !this.#frame) this.#frame = requestAnimationFrame(this.#tick);
  }

  stop(): void {
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#in = this.#tap(this.#in);
    this.#out = this.#tap(this.#out);
    if (this.#context) releaseAudioContext();
    this.#context = undefined;
    this.input = this.output = 0;
    this.draw(0, 0);
  }

  hostDisconnected(): void {
    this.stop();
  }

  #tick = (now: number) => {
    this.#frame = requestAnimationFrame(this.#tick);
    if (this.#calm?.matches && now - this.#last < 250) return;
    this.#last = now;
    this.#in = this.#tap(this.#in, this.sources.localStream);
    this.#out = this.#tap(this.#out, this.sources.remoteStream);
    this.input = this.#in?.level ?? 0;
    this.output = this.#out?.level ?? 0;
    this.draw(this.input, this.output);
  };

  #tap(meter: LevelMeter | undefined, stream?: MediaStream): LevelMeter | undefined {
    if (meter?.stream === stream) return meter;
    meter?.dispose();
    return stream && this.#context && stream.getAudioTracks().length ? new LevelMeter(this.#context, stream) : undefined;
  }
}
