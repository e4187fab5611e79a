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
    return Math.min(1, Math.sqrt(sum / samples.length) * 4);
  }

  dispose(): void {
    this.#source.disconnect();
  }
}
