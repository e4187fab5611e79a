import { expect } from '@open-wc/testing';
import { nextEvent, sleep, tokenUrl, useFakeService, voiceFixture } from '../support/harness.js';
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
    expect(seen).to.deep.equal([[{ city: 'Oslo' }, { name: 'get_weather', callId: 'call_1' }]]);
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
});
