import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { acquireAudioContext, inSteps, LEVELS_PROCESSOR, LevelMeter, releaseAudioContext } from '../audio/levels.js';

export interface LevelSources {
  readonly localStream?: MediaStream;
  readonly remoteStream?: MediaStream;
}

/** How often, with the levels measured on the audio thread, the page looks for new streams to measure. */
const AUDIO_THREAD_CHECK_MS = 500;

/**
 * Drives the level meters: about 15 times a second (4 under
 * `prefers-reduced-motion`) both levels are measured (in steps of 1/50), and
 * `draw` gets them when either changed (once at the start, then on change:
 * silence or a steady tone gives nothing to draw and no event); in a hidden
 * tab nothing is measured. Streams are tapped again when they change (a new
 * microphone, a reconnection).
 *
 * Where it can, the levels are measured on the audio thread: an AudioWorklet
 * from `worklet` (the meters part's own file, so a strict CSP holds) posts
 * them when they change, and the page only handles that message: while
 * nobody speaks its main thread is not woken. Until it runs, and where it
 * cannot (no AudioWorklet, the one-file build, a module that does not load),
 * a timer of the page reads two AnalyserNodes. (Bench, 20 s conversations:
 * levels from the audio thread posted each period measured as the timer did,
 * 1.61–1.87 % of the main thread against 1.83 %, a task 15 times a second
 * whatever wakes it; posted on change, 1.10 % against the timer's 1.52 %, the
 * widget without meters 0.85 %. A timer, not an animation-frame loop: a loop
 * asks for a frame 60 times a second even when nothing moved.)
 */
export class LevelsController implements ReactiveController {
  input = 0;
  output = 0;
  #context?: AudioContext;
  #in?: LevelMeter;
  #out?: LevelMeter;
  /** The levels' processor on the audio thread, once it runs; its two inputs' sources. */
  #worklet?: AudioWorkletNode;
  #taps: (MediaStreamAudioSourceNode | undefined)[] = [];
  /** Counts the starts: a worklet that loads after a stop (or for an earlier start) is not used. */
  #starts = 0;
  #timer?: ReturnType<typeof setInterval>;
  /** The timer's period now: it is set again only when the mode or `prefers-reduced-motion` changes it. */
  #period = 0;
  /** Set by start(): the first levels go to `draw` even if unchanged (a listener learns them once). */
  #fresh = false;
  readonly #calm = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : undefined;

  constructor(
    host: ReactiveControllerHost,
    private readonly sources: LevelSources,
    private readonly draw: (input: number, output: number) => void,
    /** The AudioWorklet module that registers the levels' processor (the meters part's own file), if any. */
    private readonly worklet?: string,
  ) {
    host.addController(this);
  }

  /** Call inside the click that starts the call: only then may the shared AudioContext run. */
  start(): void {
    this.#context ??= acquireAudioContext();
    if (!this.#context || this.#timer) return;
    this.#fresh = true;
    this.#tick();
    if (this.worklet && this.#context.audioWorklet)
      void this.#onAudioThread(this.#context, this.worklet, ++this.#starts);
  }

  stop(): void {
    this.#starts++;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#period = 0;
    this.#in = this.#tap(this.#in);
    this.#out = this.#tap(this.#out);
    this.#offAudioThread();
    if (this.#context) releaseAudioContext();
    this.#context = undefined;
    this.input = this.output = 0;
    this.draw(0, 0);
  }

  hostDisconnected(): void {
    this.stop();
  }

  /** How often the levels are measured (ms), on the page's timer or on the audio thread alike. */
  #measurePeriod = () => (this.#calm?.matches ? 250 : 66);

  #tick = () => {
    const period = this.#worklet ? AUDIO_THREAD_CHECK_MS : this.#measurePeriod();
    if (period !== this.#period) {
      // An interval, not a timeout set again each tick: one timer call fewer on the main thread each time.
      clearInterval(this.#timer);
      this.#timer = setInterval(this.#tick, (this.#period = period));
    }
    if (this.#worklet) return this.#retap(this.#worklet);
    if (document.hidden) return;
    this.#in = this.#tap(this.#in, this.sources.localStream);
    this.#out = this.#tap(this.#out, this.sources.remoteStream);
    this.#show(this.#in?.level ?? 0, this.#out?.level ?? 0);
  };

  /** The levels (rounded to 1/50) go to `draw` when either changed, or when they are the first of a start. */
  #show(input: number, output: number): void {
    input = inSteps(input);
    output = inSteps(output);
    if (!this.#fresh && input === this.input && output === this.output) return;
    this.#fresh = false;
    this.input = input;
    this.output = output;
    this.draw(input, output);
  }

  #tap(meter: LevelMeter | undefined, stream?: MediaStream): LevelMeter | undefined {
    if (meter?.stream === stream) return meter;
    meter?.dispose();
    return stream && this.#context && stream.getAudioTracks().length
      ? new LevelMeter(this.#context, stream)
      : undefined;
  }

  /** Loads the levels' processor; once it runs, the analysers go and the timer only checks on it. */
  async #onAudioThread(context: AudioContext, url: string, start: number): Promise<void> {
    let node: AudioWorkletNode;
    try {
      await context.audioWorklet.addModule(url);
      if (start !== this.#starts) return;
      node = new AudioWorkletNode(context, LEVELS_PROCESSOR, { numberOfInputs: 2, numberOfOutputs: 0 });
    } catch {
      return; // the page's timer goes on measuring
    }
    this.#worklet = node;
    this.#listen(true);
    this.#tellWorklet();
    node.port.onmessage = ({ data }: MessageEvent<[number, number]>) => this.#show(...data);
    this.#in = this.#tap(this.#in);
    this.#out = this.#tap(this.#out);
    this.#tick();
  }

  /** Connects the streams of now (a new microphone, a reconnection's) to the processor's inputs. */
  #retap(node: AudioWorkletNode): void {
    [this.sources.localStream, this.sources.remoteStream].forEach((stream, input) => {
      const tap = this.#taps[input];
      if (tap?.mediaStream === stream) return;
      tap?.disconnect();
      this.#taps[input] = stream?.getAudioTracks().length ? this.#context!.createMediaStreamSource(stream) : undefined;
      this.#taps[input]?.connect(node, 0, input);
    });
  }

  /** Tells the processor its period (the preference may have changed) and whether to be quiet (a hidden tab). */
  #tellWorklet = () => this.#worklet?.port.postMessage({ period: this.#measurePeriod(), paused: document.hidden });

  /** The preference and the tab's visibility reach the processor at once, not at the next check. */
  #listen(on: boolean): void {
    const how = on ? 'addEventListener' : 'removeEventListener';
    this.#calm?.[how]('change', this.#tellWorklet);
    document[how]('visibilitychange', this.#tellWorklet);
  }

  #offAudioThread(): void {
    this.#listen(false);
    this.#taps.forEach((tap) => tap?.disconnect());
    this.#taps = [];
    this.#worklet?.port.close();
    this.#worklet?.disconnect();
    this.#worklet = undefined;
  }
}
