/**
 * Offline speech for the emulator's answers: eSpeak NG compiled to WASM
 * (the `espeak-ng` npm package, GPL-3.0-or-later, used as a separate
 * program-like dependency of the dev tooling; it never enters the element's
 * bundle). Each GA voice name maps to its own eSpeak voice variant, so a
 * person hears that `voice` works; `speed` maps to words per minute.
 */
import ESpeakNg from 'espeak-ng';
import { Worker } from 'node:worker_threads';
import { RATE, parseWav, resample } from './audio.js';
import type { SynthesisRequest } from './tts-worker.js';

/** GA voice → eSpeak voice+variant. Distinct pitch and timbre per name. */
export const VOICE_VARIANTS: Record<string, string> = {
  alloy: 'en-us+f3',
  ash: 'en-us+m3',
  ballad: 'en-gb+m4',
  coral: 'en-us+f2',
  echo: 'en-us+m1',
  sage: 'en-gb+f4',
  shimmer: 'en-us+f5',
  verse: 'en-us+m7',
  marin: 'en-us+f1',
  cedar: 'en-us+m2',
};

const BASE_WORDS_PER_MINUTE = 175;

export interface Speech {
  /** 48 kHz mono PCM. */
  samples: Int16Array;
  durationMs: number;
  variant: string;
}

/**
 * Speech for an answer, synthesized in a worker thread so the emulator's event loop (audio pacing,
 * events of every call) never waits for eSpeak. Falls back to this thread where no worker can start.
 */
export function synthesize(text: string, voice = 'alloy', speed = 1): Promise<Speech> {
  if (!speechWorker?.alive && !workerUnavailable) speechWorker = new SpeechWorker();
  return speechWorker?.alive ? speechWorker.synthesize({ text, voice, speed }) : synthesizeHere(text, voice, speed);
}

let speechWorker: SpeechWorker | undefined;
/** Set when a worker died before it ever answered: it cannot run here, so this thread does the work. */
let workerUnavailable = false;

type Request = Omit<SynthesisRequest, 'id'>;
interface Pending extends Request {
  resolve(speech: Speech): void;
  reject(error: Error): void;
}

/** One worker thread and the requests it has in hand; what it had when it died is synthesized here. */
class SpeechWorker {
  alive = true;
  readonly #worker = new Worker(new URL('./tts-worker-entry.mjs', import.meta.url));
  readonly #pending = new Map<number, Pending>();
  #lastId = 0;
  #answered = false;

  constructor() {
    this.#worker.unref(); // an idle worker never keeps the process up
    this.#worker.on('message', ({ id, speech, error }: { id: number; speech?: Speech; error?: string }) => {
      this.#answered = true;
      const request = this.#pending.get(id);
      this.#pending.delete(id);
      if (this.#pending.size === 0) this.#worker.unref();
      if (speech) request?.resolve(speech);
      else request?.reject(new Error(`speech synthesis failed: ${error}`));
    });
    this.#worker.on('error', () => this.#died());
    this.#worker.on('exit', () => this.#died());
  }

  synthesize(request: Request): Promise<Speech> {
    const id = ++this.#lastId;
    return new Promise<Speech>((resolve, reject) => {
      this.#pending.set(id, { ...request, resolve, reject });
      this.#worker.ref(); // while speech is being made
      this.#worker.postMessage({ id, ...request } satisfies SynthesisRequest);
    });
  }

  #died(): void {
    if (!this.alive) return;
    this.alive = false;
    if (!this.#answered) workerUnavailable = true;
    for (const { text, voice, speed, resolve, reject } of this.#pending.values())
      synthesizeHere(text, voice, speed).then(resolve, reject);
    this.#pending.clear();
  }
}

/** Synthesis on the calling thread (the worker runs this). */
export async function synthesizeHere(text: string, voice = 'alloy', speed = 1): Promise<Speech> {
  // Own keys only: a custom voice id such as "constructor" must not pick up Object.prototype's members.
  const variant = (Object.hasOwn(VOICE_VARIANTS, voice) ? VOICE_VARIANTS[voice] : undefined) ?? VOICE_VARIANTS.alloy!;
  const wordsPerMinute = String(Math.round(BASE_WORDS_PER_MINUTE * Math.min(1.5, Math.max(0.25, speed))));
  // The WASM build is a command line program: each call runs it once on its own in-memory FS.
  const espeak = await ESpeakNg({
    arguments: ['-w', 'out.wav', '-v', variant, '-s', wordsPerMinute, '--', text],
    print: () => {},
    printErr: () => {},
  });
  const wav = espeak.FS.readFile('out.wav') as Uint8Array;
  const samples = resample(parseWav(wav), RATE);
  return { samples, durationMs: Math.round((samples.length / RATE) * 1000), variant };
}
