// The server observer's tool calls end to end over a real WebSocket: a stand-in for the service's
// `?call_id=` endpoint sends the events, and the observer's answers are what the widget would send
// by the same rule (tool-rule.ts): every call's output, then one response.create per response that
// completed, none for a response cancelled by barge-in, incomplete or failed.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CallObservers } from '../../server/src/observer/call-observer.ts';
import type { RealtimeProvider } from '../../server/src/providers/provider.ts';
import type { ServerTool } from '../../server/src/tools/example-tools.ts';

type Event = { type: string; [field: string]: unknown };

/** A logger that keeps its lines (the observer logs through pino's child/info/warn). */
function recordingLogger(lines: Array<{ msg: string; [k: string]: unknown }>): Logger {
  const logger = {
    child: () => logger,
    info: (fields: object | string, msg?: string) =>
      lines.push(typeof fields === 'string' ? { msg: fields } : { ...fields, msg: msg ?? '' }),
    warn: (fields: object | string, msg?: string) =>
      lines.push(typeof fields === 'string' ? { msg: fields } : { ...fields, msg: msg ?? '' }),
  };
  return logger as unknown as Logger;
}

describe('server observer: tool calls answered by the rule', () => {
  let wss: WebSocketServer;
  let url: string;
  const connections: WebSocket[] = [];

  before(async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(wss, 'listening');
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/v1/realtime`;
    wss.on('connection', (ws) => connections.push(ws));
  });
  after(async () => {
    for (const ws of connections) ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  });

  /** An observer on a fresh call; `slow` tools answer only when released. */
  async function observe() {
    const lines: Array<{ msg: string; [k: string]: unknown }> = [];
    const release: Array<() => void> = [];
    const tools: ServerTool[] = [
      {
        name: 'get_server_time',
        description: 'time',
        parameters: { type: 'object', properties: {} },
        handler: () => ({ now: 'now' }),
      },
      {
        name: 'slow',
        description: 'answers when released',
        parameters: { type: 'object', properties: {} },
        handler: () => new Promise((resolve) => release.push(() => resolve({ slow: true }))),
      },
    ];
    const provider = { observer: async () => ({ url, headers: {} }) } as unknown as RealtimeProvider;
    const observers = new CallObservers(provider, tools, recordingLogger(lines));
    const connected = once(wss, 'connection') as Promise<[WebSocket]>;
    await observers.open('rtc_test');
    const [service] = await connected;
    const received: Event[] = [];
    const waiters: Array<() => void> = [];
    service.on('message', (data) => {
      received.push(JSON.parse(data.toString()));
      waiters.splice(0).forEach((w) => w());
    });
    /** Resolves once the observer has sent `count` events of `type`. */
    const sentCount = async (type: string, count: number) => {
      while (received.filter((e) => e.type === type).length < count)
        await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await sentCount('session.update', 1);
    const emit = (event: Event) => service.send(JSON.stringify(event));
    const call = (responseId: string, callId: string, name = 'get_server_time') =>
      emit({
        type: 'response.function_call_arguments.done',
        response_id: responseId,
        item_id: `item_${callId}`,
        output_index: 0,
        call_id: callId,
        name,
        arguments: '{}',
      });
    const done = (responseId: string, status: string, details: unknown = null) =>
      emit({ type: 'response.done', response: { id: responseId, status, status_details: details } });
    const answers = () => received.filter((e) => e.type !== 'session.update');
    const releaseAll = () => release.splice(0).forEach((r) => r());
    const close = async () => {
      await observers.closeAll();
    };
    return { call, done, emit, answers, sentCount, releaseAll, release, lines, close };
  }

  const outputOf = (e: Event) => (e.item as { call_id?: string } | undefined)?.call_id;

  test('a completed response: its output, then one response.create', async () => {
    const o = await observe();
    o.emit({ type: 'response.created', response: { id: 'resp_1' } });
    o.call('resp_1', 'call_1');
    o.done('resp_1', 'completed');
    await o.sentCount('response.create', 1);
    assert.deepEqual(
      o.answers().map((e) => [e.type, outputOf(e)]),
      [
        ['conversation.item.create', 'call_1'],
        ['response.create', undefined],
      ],
    );
    assert.deepEqual(JSON.parse(String((o.answers()[0]!.item as { output: string }).output)), { now: 'now' });
    await o.close();
  });

  test('a response cancelled by barge-in: its output goes back, no response.create', async () => {
    const o = await observe();
    o.call('resp_1', 'call_1');
    o.done('resp_1', 'cancelled', { type: 'cancelled', reason: 'turn_detected' });
    await o.sentCount('conversation.item.create', 1);
    // Then a completed response with a call of its own: its response.create is the only one.
    o.call('resp_2', 'call_2');
    o.done('resp_2', 'completed');
    await o.sentCount('response.create', 1);
    assert.deepEqual(
      o.answers().map((e) => [e.type, outputOf(e)]),
      [
        ['conversation.item.create', 'call_1'],
        ['conversation.item.create', 'call_2'],
        ['response.create', undefined],
      ],
    );
    assert.ok(o.lines.some((l) => l.msg === 'no follow-up response' && l.status === 'cancelled'));
    await o.close();
  });

  test('incomplete and failed responses: no response.create either', async () => {
    const o = await observe();
    o.call('resp_1', 'call_1');
    o.done('resp_1', 'incomplete');
    o.call('resp_2', 'call_2');
    o.done('resp_2', 'failed');
    await o.sentCount('conversation.item.create', 2);
    o.call('resp_3', 'call_3');
    o.done('resp_3', 'completed');
    await o.sentCount('response.create', 1);
    assert.deepEqual(
      o.answers().map((e) => e.type),
      ['conversation.item.create', 'conversation.item.create', 'conversation.item.create', 'response.create'],
    );
    await o.close();
  });

  test('two calls in one response: both outputs, then one response.create, after the slower one', async () => {
    const o = await observe();
    o.call('resp_1', 'call_slow', 'slow');
    o.call('resp_1', 'call_fast');
    o.done('resp_1', 'completed');
    while (!o.release.length) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(o.answers(), [], 'nothing while a call of the response still runs');
    o.releaseAll();
    await o.sentCount('response.create', 1);
    assert.deepEqual(
      o.answers().map((e) => [e.type, outputOf(e)]),
      [
        ['conversation.item.create', 'call_fast'],
        ['conversation.item.create', 'call_slow'],
        ['response.create', undefined],
      ],
    );
    await o.close();
  });

  test("calls of two responses interleaved: each goes back with its own response's decision", async () => {
    const o = await observe();
    o.call('resp_1', 'call_a', 'slow');
    o.done('resp_1', 'completed');
    o.call('resp_2', 'call_b');
    o.done('resp_2', 'cancelled', { type: 'cancelled', reason: 'turn_detected' });
    await o.sentCount('conversation.item.create', 1);
    assert.deepEqual(
      o.answers().map((e) => [e.type, outputOf(e)]),
      [['conversation.item.create', 'call_b']],
      'the cancelled response settles on its own call, without waiting for the other response',
    );
    while (!o.release.length) await new Promise((resolve) => setTimeout(resolve, 5));
    o.releaseAll();
    await o.sentCount('response.create', 1);
    assert.deepEqual(
      o.answers().map((e) => [e.type, outputOf(e)]),
      [
        ['conversation.item.create', 'call_b'],
        ['conversation.item.create', 'call_a'],
        ['response.create', undefined],
      ],
    );
    await o.close();
  });
});
