// The emulator's conversation where a client can tell it from the service: idle timeouts and
// out-of-band responses, as the OpenAPI description words them. Driven without transport (the
// conversation API), so the timers can be mocked; every event is held to the GA schemas.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Conversation, type ServerEvent } from '../../emulator/src/conversation.ts';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import { applySession, defaultSession } from '../../emulator/src/session.ts';

function conversation(session: Parameters<typeof applySession>[1] = { type: 'realtime' }) {
  const events: ServerEvent[] = [];
  const c = new Conversation(applySession(defaultSession(), session), { emit: (e) => events.push({ event_id: `event_${events.length}`, ...e }) });
  const send = (event: Record<string, unknown>) => c.handleClientEvent(JSON.stringify(event));
  const types = () => events.map((e) => e.type);
  return { c, events, send, types };
}

const typed = (text: string) => ({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } });

test('idle_timeout_ms: no speech that long after an answer → input_audio_buffer.timeout_triggered, the empty audio committed, a response', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { c, events, send, types } = conversation({
      type: 'realtime',
      output_modalities: ['text'],
      audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 6000 } } },
    });
    send(typed('hello'));
    send({ type: 'response.create' });
    assert.ok(types().includes('response.done'));
    const before = events.length;
    mock.timers.tick(5999);
    assert.equal(events.length, before, 'nothing before the timeout');
    mock.timers.tick(1);
    const after = events.slice(before);
    assert.deepEqual(after.map((e) => e.type).slice(0, 5), ['input_audio_buffer.timeout_triggered', 'input_audio_buffer.committed', 'conversation.item.added', 'conversation.item.done', 'response.created']);
    const triggered = after[0]!;
    assert.equal(triggered.item_id, after[1]!.item_id);
    assert.ok((triggered.audio_end_ms as number) - (triggered.audio_start_ms as number) >= 6000);
    assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
    c.close();
  } finally {
    mock.timers.reset();
  }
});

test('idle_timeout_ms: null (the default) or semantic_vad never triggers', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    for (const td of [{ type: 'server_vad' as const }, { type: 'semantic_vad' as const }]) {
      const { c, send, types } = conversation({ type: 'realtime', output_modalities: ['text'], audio: { input: { turn_detection: td } } });
      send(typed('hello'));
      send({ type: 'response.create' });
      mock.timers.tick(60_000);
      assert.equal(types().includes('input_audio_buffer.timeout_triggered'), false, td.type);
      c.close();
    }
  } finally {
    mock.timers.reset();
  }
});

test('an out-of-band response (conversation: "none") adds nothing to the conversation; metadata is echoed; conversation_id is null', () => {
  const { c, events, send, types } = conversation({ type: 'realtime', output_modalities: ['text'] });
  send(typed('classify me'));
  const itemsBefore = c.items.length;
  const added = types().filter((t) => t === 'conversation.item.added').length;
  send({ type: 'response.create', response: { conversation: 'none', metadata: { topic: 'classification' }, output_modalities: ['text'] } });
  const done = events.find((e) => e.type === 'response.done')!.response as { metadata: unknown; conversation_id: unknown; output: unknown[] };
  assert.deepEqual(done.metadata, { topic: 'classification' });
  assert.equal(done.conversation_id, null);
  assert.equal(done.output.length, 1);
  assert.equal(c.items.length, itemsBefore, 'the answer is not in the conversation');
  assert.equal(types().filter((t) => t === 'conversation.item.added').length, added);
  assert.equal(types().includes('conversation.item.done') && events.filter((e) => e.type === 'conversation.item.done').length, 1, 'only the user item');
  assert.equal(events.find((e) => e.type === 'response.output_text.done')!.text, 'You wrote: classify me.' + ` My instructions begin: ${'Your knowledge cutoff is 2023-10. You are a'}.`);

  // `input` replaces the context: [] means none.
  send({ type: 'response.create', response: { conversation: 'none', input: [], output_modalities: ['text'] } });
  assert.match(String(events.filter((e) => e.type === 'response.output_text.done').at(-1)!.text), /^Hello, this is the realtime emulator\./);
  send({ type: 'response.create', response: { conversation: 'none', input: [typed('inline only').item], output_modalities: ['text'] } });
  assert.match(String(events.filter((e) => e.type === 'response.output_text.done').at(-1)!.text), /^You wrote: inline only\./);

  // A default response still sees only the conversation.
  send({ type: 'response.create' });
  const last = events.filter((e) => e.type === 'response.done').at(-1)!.response as { conversation_id: string; metadata: unknown };
  assert.match(last.conversation_id, /^conv_/);
  assert.equal(last.metadata, null);
  assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
  c.close();
});
