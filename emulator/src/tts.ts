/**
 * Offline speech for the emulator's answers: eSpeak NG compiled to WASM
 * (the `espeak-ng` npm package, GPL-3.0-or-later, used as a separate
 * program-like dependency of the dev tooling; it never enters the element's
 * bundle). Each GA voice name maps to its own eSpeak voice variant, so a
 * person hears that `voice` works; `speed` maps to words per minute.
 */
import ESpeakNg from 'espeak-ng';
import { RATE, parseWav, resample } from './audio.js';

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

export async function synthesize(text: string, voice = 'alloy', speed = 1): Promise<Speech> {
  // Own keys only: a custom voice id such as "constructor" must not pick up Object.prototype's members.
  const variant = (Object.hasOwn(VOICE_VARIANTS, voice) ? VOICE_VARIANTS[voice] : undefined) ?? VOICE_VARIANTS.alloy!;
  const wordsPerMinute = String(Math.round(BASE_WORDS_PER_MINUTE * Math.min(1.5, Math.max(0.25, speed))));
  // The WASM build is a command line program: each call runs it once on its own in-memory FS.
  const espeak = await ESpeakNg({ arguments: ['-w', 'out.wav', '-v', variant, '-s', wordsPerMinute, '--', text], print: () => {}, printErr: () => {} });
  const wav = espeak.FS.readFile('out.wav') as Uint8Array;
  const samples = resample(parseWav(wav), RATE);
  return { samples, durationMs: Math.round((samples.length / RATE) * 1000), variant };
}
