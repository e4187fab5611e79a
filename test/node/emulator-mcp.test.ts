// Remote MCP tools in the emulator, against a real MCP server on loopback (test/support/mcp-server.ts):
// the session's servers listed into mcp_list_tools items, the scripted model calling a listed tool
// (after the user's approval when require_approval asks for it), the call's result read back, and
// failures (unreachable server, tool error, slow server, closing mid-call). Driven without transport,
// as emulator-behaviour.test.ts does; every event is held to the GA schemas.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { Conversation, type ServerEvent } from '../../emulator/src/conversation.ts';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import type { SessionInput } from '../../emulator/src/protocol/session-schema.ts';
import { applySession, defaultSession } from '../../emulator/src/session.ts';
import { Speaker } from '../../emulator/src/speaker.ts';
import { RATE } from '../../emulator/src/audio.ts';
import { startMcpServer, type RunningMcpServer } from '../../scripts/demo-mcp-server.ts';

type McpToolInput = Extract<NonNullable<SessionInput['tools']>[number], { type: 'mcp' }>;
type Item = Record<string, unknown> & { id: string; type: string };
type ResponseObject = {
  status: string;
  output: Item[];
  usage: { output_tokens: number };
};

let orders: RunningMcpServer;
before(async () => {
  orders = await startMcpServer();
});
after(() => orders.close());

function mcpTool(fields: Partial<McpToolInput> = {}): McpToolInput {
  return { type: 'mcp', server_label: 'orders', server_url: orders.url, ...fields };
}

function conversation(deps: { mcpTimeoutMs?: number; session?: SessionInput; speaking?: boolean } = {}) {
  const events: ServerEvent[] = [];
  const samples = new Int16Array(RATE / 2).fill(3000);
  const speaker = deps.speaking ? new Speaker({ onData: () => undefined }) : undefined;
  const session = applySession(defaultSession(), deps.session ?? { type: 'realtime', output_modalities: ['text'] });
  const c = new Conversation(session, {
    emit: (e) => events.push({ event_id: `event_${events.length}`, ...e }),
    mcpTimeoutMs: deps.mcpTimeoutMs,
    speaker,
    synthesize: async () => ({ samples, durationMs: 500, variant: 'tone' }),
  });
  speaker?.start();
  const send = (event: Record<string, unknown>) => c.handleClientEvent(JSON.stringify(event));
  const useTools = (...tools: McpToolInput[]) => send({ type: 'session.update', session: { type: 'realtime', tools } });
  /** The first event from index `from` on that `match` accepts, waited for (bounded). */
  const next = async (match: string | ((e: ServerEvent) => boolean), from = 0, timeoutMs = 5000) => {
    const accept = typeof match === 'string' ? (e: ServerEvent) => e.type === match : match;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = events.slice(from).find(accept);
      if (found) return found;
      if (performance.now() > deadline)
        throw new Error(`no ${String(match)} in ${timeoutMs} ms: ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const since = (from: number) => events.slice(from);
  const stop = () => {
    c.close();
    speaker?.stop();
  };
  return { c, events, send, useTools, next, since, stop };
}

const typed = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});
const approval = (requestId: string, approve: boolean, reason?: string) => ({
  type: 'conversation.item.create',
  item: {
    type: 'mcp_approval_response',
    id: `apr_${Math.random().toString(36).slice(2)}`,
    approval_request_id: requestId,
    approve,
    ...(reason ? { reason } : {}),
  },
});
const listDone = (e: ServerEvent) => e.type === 'conversation.item.done' && (e.item as Item).type === 'mcp_list_tools';
const responseDone = (e: ServerEvent) => e.type === 'response.done';
const answerText = (item: Item | undefined) => (item?.content as Array<{ text?: string }> | undefined)?.[0]?.text;
const schemaProblems = (events: ServerEvent[]) => events.map(checkServerEvent).filter(Boolean);

/** The MCP-related events of a response, in order: its shape without the answer's word deltas. */
function outline(events: ServerEvent[]): string[] {
  return events
    .filter((e) => !/^response\.(output_text|output_audio_transcript)\.delta$/.test(e.type))
    .filter((e) => !/^(rate_limits\.updated|output_audio_buffer\.\w+)$/.test(e.type))
    .map((e) => {
      const item = e.item as Item | undefined;
      const index = e.output_index !== undefined ? `@${String(e.output_index)}` : '';
      return item ? `${e.type}:${item.type}${index}` : `${e.type}${index}`;
    });
}

async function listed(tools: McpToolInput[]) {
  const conv = conversation();
  const from = conv.events.length;
  conv.useTools(...tools);
  await conv.next(listDone, from);
  return conv;
}

test('a session.update with an MCP server lists its tools: the mcp_list_tools item added, in progress, completed, done with the tools', async () => {
  const requestsBefore = orders.requests.length;
  const { events, useTools, next, since, c, stop } = conversation();
  try {
    useTools(mcpTool({ headers: { 'x-tenant': 'acme' }, authorization: 'secret-token' }));
    const done = await next(listDone);
    assert.deepEqual(outline(since(0)), [
      'session.updated',
      'conversation.item.added:mcp_list_tools',
      'mcp_list_tools.in_progress',
      'mcp_list_tools.completed',
      'conversation.item.done:mcp_list_tools',
    ]);
    const item = done.item as Item & { tools: Array<Record<string, unknown>> };
    assert.equal(item.server_label, 'orders');
    assert.equal(events.find((e) => e.type === 'mcp_list_tools.in_progress')!.item_id, item.id);
    assert.equal(events.find((e) => e.type === 'mcp_list_tools.completed')!.item_id, item.id);
    assert.deepEqual(
      item.tools.map((t) => t.name),
      ['lookup_order', 'cancel_order', 'broken_tool'],
    );
    const lookup = item.tools[0]!;
    assert.deepEqual(Object.keys((lookup.input_schema as { properties: object }).properties), ['order_id']);
    assert.equal(lookup.description, 'Looks up an order by its id.');
    assert.equal((lookup.annotations as { readOnlyHint?: boolean }).readOnlyHint, true);
    assert.equal((item.tools[1]!.annotations as { destructiveHint?: boolean }).destructiveHint, true);
    assert.ok(
      c.items.some((i) => i.id === item.id),
      'the listing is an item of the conversation',
    );

    const requests = orders.requests.slice(requestsBefore);
    assert.deepEqual(
      requests.map((r) => r.method),
      ['initialize', 'notifications/initialized', 'tools/list'],
    );
    for (const request of requests) {
      assert.equal(request.headers.authorization, 'Bearer secret-token', request.method);
      assert.equal(request.headers['x-tenant'], 'acme', request.method);
    }
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('allowed_tools filters the listing: a list of names, {tool_names}, {read_only}', async () => {
  const cases: Array<[McpToolInput['allowed_tools'], string[]]> = [
    [
      ['lookup_order', 'broken_tool'],
      ['lookup_order', 'broken_tool'],
    ],
    [{ tool_names: ['cancel_order'] }, ['cancel_order']],
    [{ read_only: true }, ['lookup_order']],
    [{ read_only: false }, ['cancel_order', 'broken_tool']],
    [{ tool_names: ['lookup_order', 'cancel_order'], read_only: false }, ['cancel_order']],
  ];
  for (const [allowed, names] of cases) {
    const { events, stop } = await listed([mcpTool({ allowed_tools: allowed })]);
    try {
      const item = events.find(listDone)!.item as { tools: Array<{ name: string }> };
      assert.deepEqual(
        item.tools.map((t) => t.name),
        names,
        JSON.stringify(allowed),
      );
      assert.deepEqual(schemaProblems(events), []);
    } finally {
      stop();
    }
  }
});

test('the session a call was created with lists its MCP servers after session.created', async () => {
  const { events, c, next, stop } = conversation({
    session: { type: 'realtime', output_modalities: ['text'], tools: [mcpTool()] },
  });
  try {
    assert.equal(events.length, 0, 'nothing before session.created');
    c.sessionCreated();
    await next(listDone);
    assert.deepEqual(outline(events), [
      'session.created',
      'conversation.item.added:mcp_list_tools',
      'mcp_list_tools.in_progress',
      'mcp_list_tools.completed',
      'conversation.item.done:mcp_list_tools',
    ]);
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

/** A loopback port nothing listens on: one that was just free. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test('an unreachable server, or one that errors: mcp_list_tools.failed and an error naming the server_label; the call goes on', async () => {
  const failing = await startMcpServer({ failWithStatus: 500 });
  try {
    const urls = [`http://127.0.0.1:${await closedPort()}/mcp`, failing.url];
    for (const url of urls) {
      const { events, send, useTools, next, since, stop } = conversation();
      try {
        const started = performance.now();
        useTools(mcpTool({ server_label: 'warehouse', server_url: url }));
        const error = await next('error');
        assert.ok(performance.now() - started < 5000, 'failed promptly');
        assert.deepEqual(outline(events), [
          'session.updated',
          'conversation.item.added:mcp_list_tools',
          'mcp_list_tools.in_progress',
          'mcp_list_tools.failed',
          'conversation.item.done:mcp_list_tools',
          'error',
        ]);
        const failed = events.find((e) => e.type === 'mcp_list_tools.failed')!;
        assert.equal(failed.item_id, (events.find(listDone)!.item as Item).id);
        const message = (error.error as { message: string }).message;
        assert.match(message, /MCP server 'warehouse'/, url);
        assert.match(message, url === failing.url ? /500/ : /fetch failed|ECONNREFUSED/, message);

        // The call goes on: a turn is answered, without the server's tools.
        const from = events.length;
        send(typed('please lookup_order 7'));
        send({ type: 'response.create' });
        const done = await next(responseDone, from);
        const response = done.response as ResponseObject;
        assert.equal(response.status, 'completed');
        assert.deepEqual(
          response.output.map((i) => i.type),
          ['message'],
        );
        assert.deepEqual(
          outline(since(from)).filter((t) => t.includes('mcp')),
          [],
        );
        assert.deepEqual(schemaProblems(events), []);
      } finally {
        stop();
      }
    }
    assert.equal(failing.calls.length, 0);
  } finally {
    await failing.close();
  }
});

test('require_approval "never": one response carries the mcp_call, its output, then the answer quoting it', async () => {
  const callsBefore = orders.calls.length;
  const { events, send, next, since, stop } = await listed([
    mcpTool({ require_approval: 'never', authorization: 'tok-1' }),
  ]);
  try {
    const from = events.length;
    send(typed('Where is my order? lookup_order A-17'));
    send({ type: 'response.create' });
    const done = await next(responseDone, from);
    assert.deepEqual(outline(since(from)), [
      'conversation.item.added:message',
      'conversation.item.done:message',
      'response.created',
      'response.output_item.added:mcp_call@0',
      'conversation.item.added:mcp_call',
      'response.mcp_call_arguments.delta@0',
      'response.mcp_call_arguments.delta@0',
      'response.mcp_call_arguments.done@0',
      'response.mcp_call.in_progress@0',
      'response.mcp_call.completed@0',
      'response.output_item.done:mcp_call@0',
      'conversation.item.done:mcp_call',
      'response.output_item.added:message@1',
      'conversation.item.added:message',
      'response.content_part.added@1',
      'response.output_text.done@1',
      'response.content_part.done@1',
      'response.output_item.done:message@1',
      'conversation.item.done:message',
      'response.done',
    ]);
    const calls = orders.calls.slice(callsBefore);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.name, 'lookup_order');
    assert.deepEqual(calls[0]!.args, { order_id: 'Where is my order? lookup_order A-17' });
    assert.equal(calls[0]!.headers.authorization, 'Bearer tok-1');

    const response = done.response as ResponseObject;
    assert.equal(response.status, 'completed');
    const [call, answer] = response.output as [Item, Item & { content: Array<{ text: string }> }];
    assert.equal(call.type, 'mcp_call');
    assert.equal(call.server_label, 'orders');
    assert.equal(call.name, 'lookup_order');
    assert.equal(call.arguments, JSON.stringify({ order_id: 'Where is my order? lookup_order A-17' }));
    assert.equal(call.approval_request_id, null);
    assert.equal(call.output, 'Order Where is my order? lookup_order A-17 has shipped.');
    assert.equal(call.error, null);
    assert.equal(
      answer.content[0]!.text,
      'The lookup_order tool answered: Order Where is my order? lookup_order A-17 has shipped.',
    );
    const added = events.slice(from).find((e) => e.type === 'response.output_item.added')!.item as Item;
    assert.equal(added.status, 'in_progress');
    assert.equal(added.output, null);
    const deltas = since(from).filter((e) => e.type === 'response.mcp_call_arguments.delta');
    assert.equal(deltas.map((e) => e.delta).join(''), call.arguments);
    // Usage counts both output items: the call's arguments and the answer's text.
    const tokens = (value: unknown) => Math.ceil(JSON.stringify(value).length / 4);
    assert.equal(response.usage.output_tokens, tokens(call.arguments) + tokens(answer.content));
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('tool_choice {type: "mcp", server_label, name} calls that tool though the text does not name it', async () => {
  const callsBefore = orders.calls.length;
  const { events, send, next, stop } = await listed([mcpTool({ require_approval: 'never' })]);
  try {
    const from = events.length;
    send(typed('where is order 9?'));
    send({
      type: 'response.create',
      response: { tool_choice: { type: 'mcp', server_label: 'orders', name: 'lookup_order' } },
    });
    const response = (await next(responseDone, from)).response as ResponseObject;
    assert.deepEqual(
      response.output.map((i) => `${i.type}:${String(i.name ?? '')}`),
      ['mcp_call:lookup_order', 'message:'],
    );
    assert.deepEqual(
      orders.calls.slice(callsBefore).map((call) => call.name),
      ['lookup_order'],
    );

    // Without tool_choice and without its name in the text, no MCP tool is called.
    const later = events.length;
    send(typed('where is order 10?'));
    send({ type: 'response.create' });
    const plain = (await next(responseDone, later)).response as ResponseObject;
    assert.deepEqual(
      plain.output.map((i) => i.type),
      ['message'],
    );
    assert.equal(orders.calls.length, callsBefore + 1);
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('require_approval absent (the default, "always"): an approval request ends the response; approving runs the call in the next response, which the emulator starts itself', async () => {
  const callsBefore = orders.calls.length;
  const { events, send, next, since, stop } = await listed([mcpTool()]);
  try {
    let from = events.length;
    send(typed('cancel_order 42'));
    send({ type: 'response.create' });
    const first = (await next(responseDone, from)).response as ResponseObject;
    assert.deepEqual(outline(since(from)), [
      'conversation.item.added:message',
      'conversation.item.done:message',
      'response.created',
      'response.output_item.added:mcp_approval_request@0',
      'conversation.item.added:mcp_approval_request',
      'response.output_item.done:mcp_approval_request@0',
      'conversation.item.done:mcp_approval_request',
      'response.done',
    ]);
    assert.equal(first.status, 'completed');
    const request = first.output[0]!;
    assert.equal(request.type, 'mcp_approval_request');
    assert.equal(request.server_label, 'orders');
    assert.equal(request.name, 'cancel_order');
    assert.equal(request.arguments, JSON.stringify({ order_id: 'cancel_order 42' }));
    assert.equal(orders.calls.length, callsBefore, 'nothing runs before the approval');

    from = events.length;
    send(approval(request.id, true));
    // A client that also sends response.create meets the active response, as on the service.
    send({ type: 'response.create' });
    const second = (await next(responseDone, from)).response as ResponseObject;
    const outlined = outline(since(from));
    assert.deepEqual(outlined.slice(0, 5), [
      'conversation.item.added:mcp_approval_response',
      'conversation.item.done:mcp_approval_response',
      'response.created',
      'response.output_item.added:mcp_call@0',
      'conversation.item.added:mcp_call',
    ]);
    const refused = since(from).find((e) => e.type === 'error')!;
    assert.equal((refused.error as { code: string }).code, 'conversation_already_has_active_response');
    assert.equal(since(from).filter((e) => e.type === 'response.created').length, 1, 'one response');
    assert.ok(outlined.includes('response.mcp_call.completed@0'));
    assert.deepEqual(
      second.output.map((i) => i.type),
      ['mcp_call', 'message'],
    );
    assert.equal(second.output[0]!.approval_request_id, request.id);
    assert.equal(second.output[0]!.output, 'Order cancel_order 42 is cancelled.');
    assert.equal(answerText(second.output[1]), 'The cancel_order tool answered: Order cancel_order 42 is cancelled.');
    const calls = orders.calls.slice(callsBefore);
    assert.deepEqual(
      calls.map((c) => [c.name, c.args]),
      [['cancel_order', { order_id: 'cancel_order 42' }]],
    );

    // An approval answered twice is refused.
    from = events.length;
    send(approval(request.id, true));
    const again = await next('error', from);
    assert.match((again.error as { message: string }).message, new RegExp(`'${request.id}' has already been answered`));
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('denying the approval: no call reaches the server, and the answer says the tool was not used because the user declined', async () => {
  const callsBefore = orders.calls.length;
  const { events, send, next, since, stop } = await listed([mcpTool({ require_approval: 'always' })]);
  try {
    send(typed('cancel_order 43'));
    send({ type: 'response.create' });
    const request = ((await next(responseDone)).response as ResponseObject).output[0]!;
    const from = events.length;
    send(approval(request.id, false, 'not this one'));
    const response = (await next(responseDone, from)).response as ResponseObject;
    assert.deepEqual(
      response.output.map((i) => i.type),
      ['message'],
    );
    assert.equal(
      answerText(response.output[0]),
      'I did not use the cancel_order tool because you declined it. You said: not this one.',
    );
    assert.deepEqual(
      outline(since(from)).filter((t) => t.includes('mcp_call')),
      [],
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(orders.calls.length, callsBefore, 'the server saw no call');
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('require_approval as filters: "never" names the tools that run unasked; the others still ask', async () => {
  const callsBefore = orders.calls.length;
  const { events, send, useTools, next, since, stop } = await listed([
    mcpTool({ require_approval: { never: { tool_names: ['lookup_order'] } } }),
  ]);
  try {
    send(typed('lookup_order 5'));
    send({ type: 'response.create' });
    const lookup = (await next(responseDone)).response as ResponseObject;
    assert.deepEqual(
      lookup.output.map((i) => i.type),
      ['mcp_call', 'message'],
    );
    const from = events.length;
    send(typed('cancel_order 5'));
    send({ type: 'response.create' });
    const cancel = (await next(responseDone, from)).response as ResponseObject;
    assert.deepEqual(
      cancel.output.map((i) => i.type),
      ['mcp_approval_request'],
    );
    assert.deepEqual(
      orders.calls.slice(callsBefore).map((c) => c.name),
      ['lookup_order'],
    );

    // A session.update that changes only require_approval applies at once, without a new listing.
    const updated = events.length;
    useTools(mcpTool({ require_approval: 'never' }));
    send(typed('cancel_order 6'));
    send({ type: 'response.create' });
    const unasked = (await next(responseDone, updated)).response as ResponseObject;
    assert.deepEqual(
      unasked.output.map((i) => i.type),
      ['mcp_call', 'message'],
    );
    assert.equal(since(updated).filter(listDone).length, 0, 'not listed again');
    assert.deepEqual(
      orders.calls.slice(callsBefore).map((c) => c.name),
      ['lookup_order', 'cancel_order'],
    );
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('a tool that answers an error result: response.mcp_call.failed, the error on the item, and the answer says so', async () => {
  const { events, send, next, since, stop } = await listed([mcpTool({ require_approval: 'never' })]);
  try {
    const from = events.length;
    send(typed('try broken_tool'));
    send({ type: 'response.create' });
    const response = (await next(responseDone, from)).response as ResponseObject;
    const outlined = outline(since(from));
    assert.ok(outlined.includes('response.mcp_call.failed@0'), outlined.join(', '));
    assert.ok(!outlined.includes('response.mcp_call.completed@0'));
    const failedAt = outlined.indexOf('response.mcp_call.failed@0');
    assert.equal(outlined[failedAt + 1], 'response.output_item.done:mcp_call@0');
    const call = response.output[0]!;
    assert.deepEqual(call.error, { type: 'tool_execution_error', message: 'The order database is unavailable.' });
    assert.equal(call.output, null);
    assert.equal(answerText(response.output[1]), 'The broken_tool tool failed: The order database is unavailable.');
    assert.equal(response.status, 'completed');
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('an approval response for an unknown request id: an invalid_request_error naming the id, no response', async () => {
  const { events, send, next, stop } = await listed([mcpTool()]);
  try {
    const from = events.length;
    send(approval('mcpr_nonexistent', true));
    const error = (await next('error', from)).error as { type: string; message: string; param: string };
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.message, /'mcpr_nonexistent'/);
    assert.equal(error.param, 'item.approval_request_id');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      events.slice(from).map((e) => e.type),
      ['error'],
    );
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('a spoken session: the answer after the call is speech, its transcript quoting the output, at output_index 1', async () => {
  const { events, send, useTools, next, stop } = conversation({
    speaking: true,
    session: { type: 'realtime', audio: { input: { turn_detection: null } } },
  });
  try {
    useTools(mcpTool({ require_approval: 'never' }));
    await next(listDone);
    send(typed('lookup_order B-2'));
    send({ type: 'response.create' });
    const transcript = await next('response.output_audio_transcript.done');
    assert.equal(transcript.output_index, 1);
    assert.equal(transcript.transcript, 'The lookup_order tool answered: Order lookup_order B-2 has shipped.');
    const response = (await next(responseDone)).response as ResponseObject;
    assert.deepEqual(
      response.output.map((i) => i.type),
      ['mcp_call', 'message'],
    );
    assert.ok(events.some((e) => e.type === 'output_audio_buffer.started'));
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});

test('a call slower than the bound fails with a clear error; closing during a call ends it and leaves nothing running', async () => {
  const slow = await startMcpServer({ delayMs: 10_000 });
  try {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const baseline = timers();
    const bounded = conversation({ mcpTimeoutMs: 300 });
    try {
      bounded.useTools(mcpTool({ server_url: slow.url, require_approval: 'never' }));
      await bounded.next(listDone);
      const from = bounded.events.length;
      send(bounded, 'lookup_order 1');
      const response = (await bounded.next(responseDone, from)).response as ResponseObject;
      assert.ok(bounded.since(from).some((e) => e.type === 'response.mcp_call.failed'));
      const error = response.output[0]!.error as { type: string; message: string };
      assert.equal(error.type, 'protocol_error');
      assert.equal(error.message, "The MCP server 'orders' did not answer lookup_order within 0.3 s.");
      assert.match(
        answerText(response.output[1]) ?? '',
        /^The lookup_order tool failed: The MCP server 'orders' did not answer/,
      );
      assert.deepEqual(schemaProblems(bounded.events), []);
    } finally {
      bounded.stop();
    }

    const closing = conversation();
    closing.useTools(mcpTool({ server_url: slow.url, require_approval: 'never' }));
    await closing.next(listDone);
    const abandonedBefore = slow.abandoned();
    send(closing, 'lookup_order 2');
    await closing.next('response.mcp_call.in_progress');
    const callsBefore = slow.calls.length;
    for (let i = 0; slow.calls.length === callsBefore && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slow.calls.length, callsBefore + 1, 'the call reached the server');
    const count = closing.events.length;
    const started = performance.now();
    closing.stop();
    // The server sees the request end (the emulator hung up), well before the tool's 10 s.
    for (let i = 0; slow.abandoned() === abandonedBefore && i < 100; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(slow.abandoned(), abandonedBefore + 1, 'the server saw the call abandoned');
    assert.ok(performance.now() - started < 2000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(closing.events.length, count, 'nothing is emitted after the close');
    assert.ok(timers() <= baseline, `timers left: ${timers()} (before: ${baseline})`);
    assert.deepEqual(schemaProblems(closing.events), []);
  } finally {
    await slow.close();
  }
});

function send(conv: ReturnType<typeof conversation>, text: string): void {
  conv.send(typed(text));
  conv.send({ type: 'response.create' });
}

test("an approval without an item id, as OpenAI's Agents SDK sends it (previous_item_id, no id), is taken: the call runs", async () => {
  const callsBefore = orders.calls.length;
  const { events, send, next, stop } = await listed([mcpTool({ require_approval: 'always' })]);
  try {
    send(typed('cancel_order 44'));
    send({ type: 'response.create' });
    const request = ((await next(responseDone)).response as ResponseObject).output[0]!;
    const from = events.length;
    send({
      type: 'conversation.item.create',
      previous_item_id: request.id,
      item: { type: 'mcp_approval_response', approval_request_id: request.id, approve: true },
    });
    const response = (await next(responseDone, from)).response as ResponseObject;
    assert.deepEqual(
      response.output.map((i) => i.type),
      ['mcp_call', 'message'],
    );
    assert.equal(orders.calls.length, callsBefore + 1);
    const added = events.slice(from).find((e) => e.type === 'conversation.item.added')!.item as Item;
    assert.match(String(added.id), /./, 'the service gave the answer an id');
    assert.deepEqual(
      events.filter((e) => e.type === 'error'),
      [],
    );
    assert.deepEqual(schemaProblems(events), []);
  } finally {
    stop();
  }
});
