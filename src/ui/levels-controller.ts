import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { acquireAudioContext, LevelMeter, releaseAudioContext } from '../audio/levels.js';

export interface LevelSources {
  readonly localStream?: MediaStream;
  readonly remoteStream?: MediaStream;
}

/**
 * Drives the level meters: about 15 times a second (4 under
 * `prefers-reduced-motion`) it reads both levels (in steps of 1/50) and
 * hands them to `draw`; in a hidden tab it reads nothing. A timer, not an
 * animation-frame loop: a loop asks the browser for a new frame 60 times a
 * second even when nothing moved. (Drawing every frame, the meters took
 * 10 % of the main thread in the bench's 30 s conversation; at 30 Hz, 4.3 %
 * against 0.7 % for the widget without meters. Each tick is a task of its
 * own and each redraw a frame, so 15 Hz, with the bars redrawn only for a
 * visible move, halves that.) Streams are re-tapped when they change
 * (a new microphone, a reconnection).
 */
export class LevelsController implements ReactiveController {
  input = 0;
  output = 0;
  #context?: AudioContext;
  #in?: LevelMeter;
  #out?: LevelMeter;
  #timer?: ReturnType<typeof setInterval>;
  /** The timer's period now: it is set again only when `prefers-reduced-motion` changes it. */
  #period = 0;
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
    if (this.#context && !this.#timer) this.#tick();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#period = 0;
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

  #tick = () => {
    // An interval, not a timeout set again each tick: one timer call fewer on the page's main thread 15 times a second.
    const period = this.#calm?.matches ? 250 : 66;
    if (period !== this.#period) {
      clearInterval(this.#timer);
      this.#timer = setInterval(this.#tick, (this.#period = period));
    }
    if (document.hidden) return;
    this.#in = this.#tap(this.#in, this.sources.localStream);
    this.#out = this.#tap(this.#out, this.sources.remoteStream);
    // Steps of 1/50, so that silence or a steady level gives the same numbers and the drawing can skip them.
    this.input = Math.round((this.#in?.level ?? 0) * 50) / 50;
    this.output = Math.round((this.#out?.level ?? 0) * 50) / 50;
    this.draw(this.input, this.output);
  };

  #tap(meter: LevelMeter | undefined, stream?: MediaStream): LevelMeter | undefined {
    if (meter?.stream === stream) return meter;
    meter?.dispose();
    return stream && this.#context && stream.getAudioTracks().length
      ? new LevelMeter(this.#context, stream)
      : undefined;
  }
}
