/**
 * WAV files for Chromium's fake microphone (--use-file-for-fake-audio-capture),
 * made by the tests themselves, and pure silence as the negative control.
 * The speech file is one conversation that loops:
 *   1 s silence · "Hello there." · 1.6 s pause · a longer question · 14 s silence
 * The pause ends the first turn (silence_duration_ms 500) and the question
 * starts while the answer to it is playing: a barge-in. The question's own
 * answer then plays out in the long silence.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RATE, encodeWav } from '../../../emulator/src/audio.ts';
import { synthesize } from '../../../emulator/src/tts.ts';

export interface FakeMicrophoneFiles {
  speech: string;
  silence: string;
}

export async function makeFakeMicrophoneFiles(dir: string): Promise<FakeMicrophoneFiles> {
  mkdirSync(dir, { recursive: true });
  const greeting = await synthesize('Hello there.', 'echo', 1);
  const question = await synthesize('Can you hear me, and can you tell me a short story about the sea?', 'echo', 1);
  const parts = [
    new Int16Array(RATE),
    greeting.samples,
    new Int16Array(Math.round(RATE * 1.6)),
    question.samples,
    new Int16Array(RATE * 14),
  ];
  const speech = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    speech.set(part, offset);
    offset += part.length;
  }
  const files = { speech: join(dir, 'speech.wav'), silence: join(dir, 'silence.wav') };
  writeFileSync(files.speech, encodeWav(speech, RATE));
  writeFileSync(files.silence, encodeWav(new Int16Array(RATE * 10), RATE));
  return files;
}
