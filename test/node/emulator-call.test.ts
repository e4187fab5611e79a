// The emulator end to end from Node: a real WebRTC client (wrtc) speaks
// synthesized speech into a call and gets a spoken, conforming answer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import { synthesize } from '../../emulator/src/tts.ts';
import { useEmulator } from './support/use-emulator.ts';
import { WrtcClient, sleep } from './support/wrtc-client.ts';

const ctx = useEmulator();
const client = (label?: string) => ctx.client(label);

describe('voice turn over real WebRTC', () => {
  test('speech → VAD events → a spoken answer whose transcript deltas follow the audio', async () => {
    const { value } = await WrtcClient.mintToken(ctx.base, {
      instructions: 'Answer like a pirate, always.',
      // 600 ms of silence ends a turn: eSpeak's pause at a comma must not split the sentence.
      audio: {
        input: {
          transcription: { model: 'whisper-1' },
          turn_detection: { type: 'server_vad', silence_duration_ms: 600 },
        },
      },
    });
    const c = client('realtime-channel');
    await c.connect(ctx.base, value);
    const created = await c.next('session.created');
    assert.equal((created.session as { instructions: string }).instructions, 'Answer like a pirate, always.');

    const speech = await synthesize('Hello emulator, can you hear me?', 'echo', 1);
    await sleep(300);
    await c.speak(speech.samples);
    const started = await c.next('input_audio_buffer.speech_started');
    const stopped = await c.next('input_audio_buffer.speech_stopped');
    assert.equal(stopped.item_id, started.item_id);
    const transcription = await c.next('conversation.item.input_audio_transcription.completed');
    assert.match(String(transcription.transcript), /^\[\d+\.\d s of speech\]$/);
    const seconds = Number(/(\d+\.\d)/.exec(String(transcription.transcript))![1]);
    assert.ok(Math.abs(seconds * 1000 - speech.durationMs) < 700, `heard ${seconds}s of ${speech.durationMs}ms`);

    await c.next('output_audio_buffer.started');
    const levelsAtStart = c.receivedLevels.length;
    const done = await c.next('response.done', () => true, 20_000);
    await c.next('output_audio_buffer.stopped');
    assert.equal((done.response as { status: string }).status, 'completed');
    const transcript = await c.next('response.output_audio_transcript.done');
    assert.match(
      String(transcript.transcript),
      /I heard \d+\.\d seconds of speech\. My instructions begin: Answer like a pirate, always\./,
    );
    const deltas = c.events
      .filter((e) => e.type === 'response.output_audio_transcript.delta')
      .map((e) => e.delta)
      .join('');
    assert.equal(deltas, transcript.transcript);

    // The answer was audible: loud frames arrived between started and stopped.
    const loud = c.receivedLevels.slice(levelsAtStart).filter((level) => level > 0.01).length;
    assert.ok(loud > 50, `only ${loud} loud 10 ms frames received`);

    const problems = c.events.map(checkServerEvent).filter(Boolean);
    assert.deepEqual(problems, []);
  });

  test('silence gives no turn at all', async () => {
    const { value } = await WrtcClient.mintToken(ctx.base);
    const c = client();
    await c.connect(ctx.base, value);
    await c.speak(new Int16Array(48_000 * 2));
    await sleep(500);
    assert.deepEqual(
      c.events.map((e) => e.type),
      ['session.created'],
    );
  });
});
