/**
 * The emulator's speech synthesis in a worker thread (see tts.ts): eSpeak's
 * WASM run takes 0.3–1.5 s of CPU per answer, which on the main thread
 * stalled every call's 10 ms audio pacing, and with it the browsers' jitter
 * buffers. One request at a time; the samples go back transferred, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { synthesizeHere } from './tts.js';

export interface SynthesisRequest {
  id: number;
  text: string;
  voice: string;
  speed: number;
}

parentPort?.on('message', async ({ id, text, voice, speed }: SynthesisRequest) => {
  try {
    const speech = await synthesizeHere(text, voice, speed);
    parentPort!.postMessage({ id, speech }, [speech.samples.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message ?? String(error) });
  }
});
