// The emulator's speech: made in a worker thread (so eSpeak's 0.3–1.5 s of
// WASM work per answer never stalls the audio pacing of the calls), the
// same sound as on the calling thread, per voice and speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synthesize, synthesizeHere, VOICE_VARIANTS } from '../../emulator/src/tts.ts';

test('the worker makes exactly the speech the calling thread makes, for several voices and speeds at once', async () => {
  const requests: Array<[string, string, number]> = [
    ['Hello, this is the realtime emulator.', 'marin', 1],
    ['A second answer, faster.', 'cedar', 1.5],
    ['And a slow third.', 'ballad', 0.5],
  ];
  const fromWorker = await Promise.all(requests.map(([text, voice, speed]) => synthesize(text, voice, speed)));
  for (const [i, [text, voice, speed]] of requests.entries()) {
    const here = await synthesizeHere(text, voice, speed);
    const there = fromWorker[i]!;
    assert.equal(there.variant, VOICE_VARIANTS[voice]);
    assert.equal(there.durationMs, here.durationMs, `${voice}: same length`);
    assert.ok(there.samples instanceof Int16Array && there.samples.length > 4800, `${voice}: real audio came back`);
    assert.deepEqual(there.samples, here.samples, `${voice}: same samples`);
  }
  assert.ok(fromWorker[1]!.durationMs < fromWorker[0]!.durationMs, 'speed 1.5 is shorter');
});

test('the main thread keeps its timers while the worker speaks', async () => {
  // Not a speed assertion: on the calling thread eSpeak's run is one synchronous block, during which
  // no timer fires at all; off it, the 5 ms timer keeps firing while the answer is made.
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const text = 'A long answer that takes eSpeak a good while to make, so that the difference shows. '.repeat(8);
  const speech = await synthesize(text, 'sage', 1);
  clearInterval(timer);
  assert.ok(speech.durationMs > 20_000);
  // (On the calling thread this text lets 2–5 ticks through, all during WASM start-up; in the worker ~80–180.)
  assert.ok(ticks >= 20, `timers fired ${ticks} times while the worker spoke`);
});
