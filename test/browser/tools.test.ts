import { expect } from '@open-wc/testing';
import { nextEvent, record, sleep, tokenUrl, until, useFakeService, voiceFixture } from '../support/harness.js';
import type { RealtimeTool } from '../../src/index.js';

const weather: RealtimeTool = {
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  handler: async ({ city }: { city: string }) => ({ city, sky: 'clear', celsius: 21 }),
};

function callTool(
  call: { emit: (e: Record<string, unknown> & { type: string }) => void },
  responseId: string,
  callId: string,
  name: string,
  args: string,
): void {
  call.emit({
    type: 'response.function_call_arguments.done',
    response_id: responseId,
    item_id: `item_${callId}`,
    output_index: 0,
    call_id: callId,
    name,
    arguments: args,
  });
}

describe('client-side tools', () => {
  const fake = useFakeService();

  it('declares the tools in session.update; a call runs the handler and answers with function_call_output + response.create', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const seen: unknown[] = [];
    el.tools = [{ ...weather, handler: async (args, meta) => (seen.push([args, meta]), weather.handler(args, meta)) }];
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const update = await call.nextClientEvent('session.update');
    expect(update.session).to.deep.include({ tool_choice: 'auto' });
    expect((update.session as { tools: unknown[] }).tools).to.deep.equal([
      {
        type: 'function',
        name: 'get_weather',
        description: 'Current weather in a city',
        parameters: weather.parameters,
      },
    ]);

    callTool(call, 'resp_1', 'call_1', 'get_weather', '{"city":"Oslo"}');
    call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
    const output = await call.nextClientEvent('conversation.item.create');
    expect(output.item).to.deep.equal({
      type: 'function_call_output',
      call_id: 'call_1',
      output: '{"city":"Oslo","sky":"clear","celsius":21}',
    });
    await call.nextClientEvent('response.create');
    expect(seen).to.have.length(1);
    const [args, meta] = seen[0] as [unknown, { name: string; callId: string; signal: AbortSignal }];
    expect(args).to.deep.equal({ city: 'Oslo' });
    expect(meta).to.include({ name: 'get_weather', callId: 'call_1' });
    expect(meta.signal).to.be.instanceOf(AbortSignal);
    expect(meta.signal.aborted, 'a call that finished is not aborted').to.equal(false);
    el.stop();
  });

  it('a failing handler: the model gets an error output, the page a non-fatal tool-failed, the call goes on', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    el.tools = [{ name: 'book', handler: () => Promise.reject(new Error('calendar is down')) }];
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const reported = nextEvent<CustomEvent>(el, 'realtime-error');
    callTool(call, 'resp_1', 'call_9', 'book', '{}');
    call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
    const { detail } = await reported;
    expect(detail).to.include({ code: 'tool-failed', fatal: false });
    expect(detail.message).to.contain('book').and.to.contain('calendar is down');
    const output = await call.nextClientEvent('conversation.item.create');
    expect(JSON.parse((output.item as { output: string }).output)).to.deep.equal({ error: 'calendar is down' });
    await call.nextClientEvent('response.create');
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it('an unknown tool or unreadable arguments are failures the model hears about', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    el.tools = [weather];
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    callTool(call, 'resp_1', 'call_a', 'launch_rocket', '{}');
    callTool(call, 'resp_1', 'call_b', 'get_weather', '{not json');
    call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
    await call.nextClientEvent('response.create');
    const outputs = call.received
      .filter((e) => e.type === 'conversation.item.create')
      .map((e) => e.item as { call_id: string; output: string });
    expect(outputs.map((o) => o.call_id).sort()).to.deep.equal(['call_a', 'call_b']);
    expect(JSON.parse(outputs.find((o) => o.call_id === 'call_a')!.output).error).to.contain('no tool of that name');
    expect(JSON.parse(outputs.find((o) => o.call_id === 'call_b')!.output).error).to.be.a('string');
    el.stop();
  });

  it('two calls in one response get two outputs and one response.create, sent after both', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    let release!: () => void;
    const slow = new Promise<void>((resolve) => (release = resolve));
    el.tools = [weather, { name: 'slow', handler: async () => (await slow, 'done') }];
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    callTool(call, 'resp_2', 'c1', 'get_weather', '{"city":"Rome"}');
    callTool(call, 'resp_2', 'c2', 'slow', '');
    call.emit({ type: 'response.done', response: { id: 'resp_2', status: 'completed', output: [] } });
    await call.nextClientEvent('conversation.item.create');
    await sleep(200);
    expect(
      call.received.some((e) => e.type === 'response.create'),
      'not before every tool answered',
    ).to.equal(false);
    release();
    await call.nextClientEvent('response.create');
    expect(call.received.filter((e) => e.type === 'conversation.item.create')).to.have.length(2);
    await sleep(100);
    expect(call.received.filter((e) => e.type === 'response.create')).to.have.length(1);
    el.stop();
  });

  it('a response cancelled by barge-in asks for no new response', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    el.tools = [weather];
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    callTool(call, 'resp_3', 'c3', 'get_weather', '{"city":"Lima"}');
    call.emit({ type: 'response.done', response: { id: 'resp_3', status: 'cancelled', output: [] } });
    await call.nextClientEvent('conversation.item.create');
    await sleep(200);
    expect(call.received.some((e) => e.type === 'response.create')).to.equal(false);
    el.stop();
  });

  describe('tools that behave: abort, timeout, follow-ups that wait, rows in the transcript', () => {
    /** A handler that waits for its signal, and records why it fired. */
    function waitingTool(name: string, timeoutMs?: number): RealtimeTool & { reasons: string[] } {
      const reasons: string[] = [];
      return {
        name,
        timeoutMs,
        reasons,
        handler: (_args, { signal }) =>
          new Promise((_, reject) =>
            signal.addEventListener(
              'abort',
              () => (reasons.push((signal.reason as Error).name), reject(signal.reason)),
            ),
          ),
      };
    }

    it('the user speaking again (barge-in) aborts a running handler; the model hears it was cancelled, no error', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      const tool = waitingTool('search');
      el.tools = [tool];
      const errors: unknown[] = [];
      el.addEventListener('realtime-error', (e) => errors.push(e.detail));
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      callTool(call, 'resp_1', 'c1', 'search', '{}');
      call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
      await sleep(50);
      call.emit({ type: 'input_audio_buffer.speech_started', item_id: 'u2', audio_start_ms: 100 });
      const output = await call.nextClientEvent('conversation.item.create');
      expect(tool.reasons).to.deep.equal(['barge-in']);
      expect(JSON.parse((output.item as { output: string }).output)).to.deep.equal({
        error: 'cancelled: the user spoke again',
      });
      expect(errors, 'a barge-in is no failure').to.deep.equal([]);
      el.stop();
    });

    it('a handler past its timeoutMs: the model gets an error output and answers; the page a non-fatal tool-failed', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      const tool = waitingTool('slow_lookup', 300);
      el.tools = [tool];
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      const reported = nextEvent<CustomEvent>(el, 'realtime-error');
      callTool(call, 'resp_1', 'c1', 'slow_lookup', '{}');
      call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
      const { detail } = await reported;
      expect(detail).to.include({ code: 'tool-failed', fatal: false });
      expect(detail.message).to.contain('slow_lookup').and.to.contain('0.3 s');
      expect(tool.reasons).to.deep.equal(['timeout']);
      const output = await call.nextClientEvent('conversation.item.create');
      expect(JSON.parse((output.item as { output: string }).output).error).to.contain('did not answer within 0.3 s');
      await call.nextClientEvent('response.create');
      el.stop();
    });

    it('stop() aborts a running handler (call-ended) and nothing is sent for it', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      const tool = waitingTool('search');
      el.tools = [tool];
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      callTool(call, 'resp_1', 'c1', 'search', '{}');
      await sleep(50);
      el.stop();
      expect(tool.reasons).to.deep.equal(['call-ended']);
      await sleep(50);
      expect(call.received.some((e) => e.type === 'conversation.item.create')).to.equal(false);
    });

    it('the follow-up response.create waits while another response is in progress (the model talking meanwhile)', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      let release!: () => void;
      const slow = new Promise<void>((resolve) => (release = resolve));
      el.tools = [{ name: 'slow', handler: async () => (await slow, 'ready') }];
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      call.emit({ type: 'response.created', response: { id: 'resp_1', status: 'in_progress', output: [] } });
      callTool(call, 'resp_1', 'c1', 'slow', '');
      call.emit({ type: 'response.done', response: { id: 'resp_1', status: 'completed', output: [] } });
      // The model goes on talking (another response) while the tool runs…
      const seen = record(el, ['response.created']);
      call.emit({ type: 'response.created', response: { id: 'resp_2', status: 'in_progress', output: [] } });
      const started = (id: string) => seen.some((e) => (e.detail as { response: { id: string } }).response.id === id);
      await until(() => started('resp_2'), 'the page saw resp_2 start');
      release();
      await call.nextClientEvent('conversation.item.create');
      await sleep(150);
      expect(
        call.received.some((e) => e.type === 'response.create'),
        'no response.create while resp_2 runs',
      ).to.equal(false);
      // …and once it is done, the follow-up goes.
      call.emit({ type: 'response.done', response: { id: 'resp_2', status: 'completed', output: [] } });
      await call.nextClientEvent('response.create');
      expect(call.received.filter((e) => e.type === 'response.create')).to.have.length(1);
      el.stop();
    });

    it('the transcript shows the tool working, then done or failed', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, transcript: '' });
      el.tools = [weather, { name: 'book', handler: () => Promise.reject(new Error('full')) }];
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      const rows = () => [...el.shadowRoot!.querySelectorAll('[part~="tool"]')].map((row) => row.textContent!.trim());
      callTool(call, 'resp_1', 'c1', 'get_weather', '{"city":"Oslo"}');
      callTool(call, 'resp_1', 'c2', 'book', '{}');
      await until(() => rows().length === 2, 'two tool rows');
      expect(rows()).to.deep.equal(['Working on it: get_weather…', 'Working on it: book…']);
      // The service echoes each output the page adds to the conversation.
      for (const callId of ['c1', 'c2']) {
        const sent = await call.nextClientEvent(
          'conversation.item.create',
          (e) => (e.item as { call_id?: string }).call_id === callId,
        );
        call.emit({
          type: 'conversation.item.added',
          previous_item_id: null,
          item: { id: `o_${callId}`, ...(sent.item as Record<string, unknown>) },
        });
      }
      await until(() => !rows()[1]?.startsWith('Working'), 'both rows ended');
      expect(rows()).to.deep.equal(['get_weather: done.', 'book did not work.']);
      el.stop();
    });
  });
});
