// realtime-usage: each response.done's usage, and running totals per call and per conversation.
import { expect } from '@open-wc/testing';
import type { FakeCall } from '../fakes/fake-realtime-service.js';
import {
  injectConnectionState,
  record,
  tokenUrl,
  until,
  untilState,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';

/** A response.done as the service sends it (GA shape), with this usage. */
async function done(call: FakeCall, id: string, input: number, output: number, cached = 0): Promise<void> {
  await call.channel();
  call.emit({
    type: 'response.done',
    response: {
      object: 'realtime.response',
      id,
      status: 'completed',
      output: [],
      usage: {
        total_tokens: input + output,
        input_tokens: input,
        output_tokens: output,
        input_token_details: { text_tokens: input - 10, audio_tokens: 10, cached_tokens: cached },
        output_token_details: { text_tokens: 5, audio_tokens: output - 5 },
      },
    },
  });
}

describe('usage', () => {
  const fake = useFakeService();

  it('each response.done gives its usage and the running totals of the call and the conversation', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const usage = record(el, ['realtime-usage']);
    await el.start();
    await done(fake.service.lastCall!, 'resp_1', 100, 40, 64);
    await done(fake.service.lastCall!, 'resp_2', 150, 60);
    await until(() => usage.length === 2, 'two usage events');
    const [first, second] = usage.map((u) => u.detail as Record<string, Record<string, number> | string>);
    expect(first!.responseId).to.equal('resp_1');
    expect(first!.response).to.deep.equal({
      responses: 1,
      inputTokens: 100,
      outputTokens: 40,
      totalTokens: 140,
      inputTextTokens: 90,
      inputAudioTokens: 10,
      cachedTokens: 64,
      outputTextTokens: 5,
      outputAudioTokens: 35,
    });
    expect(second!.call).to.include({
      responses: 2,
      inputTokens: 250,
      outputTokens: 100,
      totalTokens: 350,
      cachedTokens: 64,
    });
    expect(second!.conversation).to.deep.equal(second!.call);
    el.stop();
  });

  it('a reconnection starts the call totals again and keeps the conversation’s; a new start() starts both', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const usage = record(el, ['realtime-usage']);
    await el.start();
    // The conversation needs a turn to continue (a reconnection with nothing said is a new conversation).
    const first = fake.service.lastCall!;
    await first.channel();
    first.emit({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', transcript: 'Hi' });
    await done(first, 'resp_1', 100, 40);
    await until(() => usage.length === 1, 'the first');
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting');
    await untilState(el, 'connected', 10_000);
    await done(fake.service.lastCall!, 'resp_2', 120, 30);
    await until(() => usage.length === 2, 'the second');
    const after = usage[1]!.detail as Record<string, Record<string, number>>;
    expect(after.call).to.include({ responses: 1, inputTokens: 120 });
    expect(after.conversation).to.include({ responses: 2, inputTokens: 220, outputTokens: 70 });
    el.stop();
    await el.start();
    await done(fake.service.lastCall!, 'resp_3', 10, 5);
    await until(() => usage.length === 3, 'the third');
    expect((usage[2]!.detail as Record<string, Record<string, number>>).conversation).to.include({ responses: 1 });
    el.stop();
  });

  it('a response.done without usage, or with odd numbers, counts nothing it cannot read', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const usage = record(el, ['realtime-usage']);
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({
      type: 'response.done',
      response: { object: 'realtime.response', id: 'r0', status: 'cancelled', output: [], usage: null },
    });
    call.emit({
      type: 'response.done',
      response: {
        object: 'realtime.response',
        id: 'r1',
        status: 'completed',
        output: [],
        usage: { input_tokens: -5, output_tokens: 'x' },
      },
    });
    await until(() => usage.length === 1, 'one usage event');
    expect((usage[0]!.detail as Record<string, Record<string, number>>).response).to.include({
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
    });
    el.stop();
  });
});
