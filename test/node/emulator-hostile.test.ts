// Hostile clients against the emulator, over real WebRTC (wrtc) and the
// observer WebSocket: payloads of megabytes, nesting 100,000 levels deep,
// wrong types, unknown and prototype-named types, floods of thousands of
// events. Each bad event gets an `error` event; nothing crashes; the call
// answers normally afterwards. Then 20 concurrent spoken calls, some of them
// flooded with garbage meanwhile, each get their own answer.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import './support/fast-check-seed.ts';
import WebSocket from 'ws';
import { MAX_EVENT_DEPTH } from '../../emulator/src/protocol/limits.ts';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import { VOICES } from '../../emulator/src/protocol/session-schema.ts';
import { useEmulator } from './support/use-emulator.ts';
import { WrtcClient, sleep, type ClientEvent } from './support/wrtc-client.ts';

const ctx = useEmulator();
const observed: ClientEvent[] = [];

async function call(session: Record<string, unknown> = { output_modalities: ['text'] }): Promise<WrtcClient> {
  const { value } = await WrtcClient.mintToken(ctx.base, session);
  const c = ctx.client();
  await c.connect(ctx.base, value);
  await c.next('session.created');
  return c;
}

/** The observer/controller WebSocket of a call: the path for payloads bigger than a data channel message. */
async function observer(c: WrtcClient): Promise<{ ws: WebSocket; events: ClientEvent[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${ctx.base.replace('http', 'ws')}/v1/realtime?call_id=${c.callId}`, {
    headers: { Authorization: 'Bearer sk-observer' },
  });
  const events: ClientEvent[] = [];
  ws.on('message', (data) => {
    const event = JSON.parse(data.toString()) as ClientEvent;
    events.push(event);
    observed.push(event);
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('error', () => {});
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, events, closed };
}

const errors = (events: ClientEvent[]) =>
  events
    .filter((e) => e.type === 'error')
    .map((e) => e.error as { code: string; message: string; event_id: string | null });

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); await sleep(25))
    if (Date.now() - started > ms) throw new Error('condition not met in time');
}

/** A typed turn, answered in text; resolves with the answer. */
async function stillAnswers(c: WrtcClient, text = 'still alive?'): Promise<string> {
  c.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  c.send({ type: 'response.create', response: { output_modalities: ['text'] } });
  const done = await c.next('response.output_text.done', (e) => String(e.text).includes(text), 15_000, true);
  return String(done.text);
}

describe('huge payloads', () => {
  test('250 KB events on the data channel (its limit is 256 KiB): garbage gets an error, a valid one is taken', async () => {
    const c = await call();
    c.send(`{"type":"${'x'.repeat(250_000)}"}`);
    c.send({
      type: 'conversation.item.create',
      event_id: 'big_valid',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'y'.repeat(250_000) }] },
    });
    await waitFor(() => errors(c.events).length >= 1);
    assert.equal(errors(c.events)[0]!.code, 'invalid_value');
    assert.ok(errors(c.events)[0]!.message.length < 2000, 'the error does not echo the payload');
    const added = await c.next('conversation.item.added');
    assert.equal((added.item as { content: Array<{ text: string }> }).content[0]!.text.length, 250_000);
    assert.match(await stillAnswers(c), /You wrote: still alive\?/);
  });

  test('1 MB and 5 MB events through the observer WebSocket: errors for bad ones, valid ones taken, the call goes on', async () => {
    const c = await call();
    const o = await observer(c);
    o.ws.send(
      `{"type":"conversation.item.create","event_id":"bad_5mb","item":${'['.repeat(10)}"${'z'.repeat(5_000_000)}"${']'.repeat(10)}}`,
    );
    o.ws.send(`{not json ${'z'.repeat(1_000_000)}`);
    await waitFor(() => errors(o.events).length >= 2);
    assert.deepEqual(
      errors(o.events).map((e) => e.code),
      ['invalid_value', 'invalid_json'],
    );
    assert.equal(errors(o.events)[0]!.event_id, 'bad_5mb');

    for (const size of [1_000_000, 5_000_000]) {
      o.ws.send(
        JSON.stringify({
          type: 'conversation.item.create',
          item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'w'.repeat(size) }] },
        }),
      );
      // The observer gets the whole item back; the browser's channel, limited to 256 KiB, gets an error in its place.
      const added = await waitFor(() =>
        o.events.some((e) => e.type === 'conversation.item.added' && JSON.stringify(e).length > size),
      ).then(() => true);
      assert.ok(added);
    }
    await waitFor(() => errors(c.events).filter((e) => e.code === 'event_too_large').length >= 4);
    assert.match(
      errors(c.events).find((e) => e.code === 'event_too_large')!.message,
      /conversation\.item\.(added|done) event \(\d+ bytes\) is larger than the data channel's maximum message size \(262144 bytes\)/,
    );
    assert.equal(c.channel.readyState, 'open');
    assert.match(await stillAnswers(c), /You wrote: still alive\?/);
    o.ws.close();
  });

  test('a frame over 16 MiB closes only that observer socket (1009); the call and the emulator carry on', async () => {
    const c = await call();
    const o = await observer(c);
    o.ws.send('x'.repeat(17 * 1024 * 1024));
    assert.equal(await o.closed, 1009);
    assert.match(await stillAnswers(c), /still alive/);
  });
});

describe('deep nesting', () => {
  test(`10,000 and 100,000 levels (objects and arrays) get an error; deeper than ${MAX_EVENT_DEPTH} is refused before anything recursive sees it`, async () => {
    const c = await call();
    const o = await observer(c);
    const deepSession = (depth: number) =>
      `{"type":"session.update","event_id":"deep_${depth}","session":{"type":"realtime","tracing":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    c.send(deepSession(10_000)); // 50 KB: fits a data channel message
    o.ws.send(deepSession(100_000)); // 500 KB: through the observer
    o.ws.send(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    // Written by hand: JSON.stringify itself would overflow the stack on it.
    c.send(
      `{"type":"conversation.item.create","event_id":"deep_item","item":{"type":"function_call_output","call_id":"c","output":"o","extra":${'['.repeat(5000)}${']'.repeat(5000)}}}`,
    );
    await waitFor(() => errors(c.events).length >= 4);
    const seen = errors(c.events);
    assert.deepEqual(seen.map((e) => e.event_id).sort(), [null, 'deep_10000', 'deep_100000', 'deep_item'].sort());
    for (const e of seen.filter((x) => x.event_id))
      assert.match(e.message, new RegExp(`nested more than ${MAX_EVENT_DEPTH} levels`));
    // Regression: a deep value used to be stored in the session, and every later session event overflowed the stack.
    c.send({ type: 'session.update', session: { type: 'realtime', instructions: 'After the deep ones.' } });
    const updated = await c.next('session.updated');
    assert.equal((updated.session as { instructions: string }).instructions, 'After the deep ones.');
    o.ws.close();
  });

  test(`nesting up to ${MAX_EVENT_DEPTH} levels where the protocol allows any JSON (a tool's schema) is still accepted`, async () => {
    const c = await call();
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 25; i++) schema = { type: 'object', properties: { inner: schema } };
    c.send({
      type: 'session.update',
      session: { type: 'realtime', tools: [{ type: 'function', name: 'nested', parameters: schema }] },
    });
    await c.next('session.updated');
    assert.deepEqual(errors(c.events), []);
  });
});

describe('wrong types, unknown types', () => {
  test("fields of the wrong type get the service's error codes, with the client's event_id", async () => {
    const c = await call();
    const cases: Array<[Record<string, unknown>, string, string?]> = [
      [{ type: 42 }, 'missing_required_parameter'],
      [{ type: null, event_id: 'null_type' }, 'missing_required_parameter'],
      [{ type: ['session.update'] }, 'missing_required_parameter'],
      [{ type: 'session.update', event_id: 'w1', session: 'realtime' }, 'invalid_value', 'session'],
      [
        { type: 'session.update', event_id: 'w2', session: { type: 'realtime', instructions: 7 } },
        'invalid_value',
        'session.instructions',
      ],
      [
        { type: 'session.update', event_id: 'w3', session: { type: 'realtime', tools: { name: 'x' } } },
        'invalid_value',
        'session.tools',
      ],
      [
        { type: 'session.update', event_id: 'w4', session: { type: 'realtime', audio: { output: { speed: '1.0' } } } },
        'invalid_value',
        'session.audio.output.speed',
      ],
      [{ type: 'input_audio_buffer.append', event_id: 'w5', audio: 12345 }, 'invalid_value', 'audio'],
      [
        { type: 'conversation.item.truncate', event_id: 'w6', item_id: 5, content_index: '0', audio_end_ms: -1 },
        'invalid_value',
        'item_id',
      ],
      [
        {
          type: 'conversation.item.create',
          event_id: 'w7',
          item: { type: 'message', role: 'robot', content: [{ type: 'input_text', text: 'x' }] },
        },
        'invalid_value',
      ],
      [{ type: 'conversation.item.create', event_id: 'w8', item: [] }, 'invalid_value'],
      [{ type: 'response.create', event_id: 'w9', response: [] }, 'invalid_value', 'response'],
      [{ type: 'response.cancel', event_id: { nested: true } }, 'invalid_value'],
    ];
    for (const [event] of cases) c.send(event);
    await waitFor(() => errors(c.events).length >= cases.length);
    const got = errors(c.events);
    cases.forEach(([event, code, param], i) => {
      const label = JSON.stringify(event);
      assert.equal(got[i]!.code, code, label);
      if (param)
        assert.equal((c.events.filter((e) => e.type === 'error')[i]!.error as { param: string }).param, param, label);
      assert.equal(got[i]!.event_id, typeof event.event_id === 'string' ? event.event_id : null, label);
    });
    assert.match(await stillAnswers(c), /still alive/);
  });

  test('unknown types, server event types and names of Object.prototype members get invalid_value (regression: "constructor" threw inside the data channel handler)', async () => {
    const c = await call();
    const types = [
      'no.such.event',
      '',
      ' ',
      'session.created',
      'response.done',
      'error',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'x'.repeat(10_000),
      '\u0000',
      'répónse.créate',
      '🎤',
    ];
    types.forEach((type, i) => c.send({ type, event_id: `u${i}` }));
    await waitFor(() => errors(c.events).length >= types.length);
    const got = errors(c.events);
    assert.deepEqual(
      got.map((e) => e.code),
      types.map(() => 'invalid_value'),
    );
    assert.deepEqual(
      got.map((e) => e.event_id),
      types.map((_, i) => `u${i}`),
    );
    assert.ok(
      got.every((e) => e.message.length < 1500),
      'a long type is not echoed whole',
    );
    assert.match(await stillAnswers(c), /still alive/);
  });
});

describe('floods', () => {
  test('5,000 invalid events at once: 5,000 error events, in order; then the call answers', async () => {
    const c = await call();
    for (let i = 0; i < 5000; i++) c.send(i % 2 ? `{"type":"flood.${i}","event_id":"f${i}"}` : `{broken ${i}`);
    await waitFor(() => errors(c.events).length >= 5000, 30_000);
    const got = errors(c.events);
    assert.equal(got.length, 5000);
    assert.deepEqual(
      got.slice(0, 4).map((e) => e.code),
      ['invalid_json', 'invalid_value', 'invalid_json', 'invalid_value'],
    );
    assert.equal(got[4999]!.event_id, 'f4999');
    assert.match(await stillAnswers(c), /still alive/);
  });

  test('2,000 items and 500 response.create in a burst: every item added, one response, 499 refusals', async () => {
    const c = await call({}); // spoken: the response stays active while it is synthesized and played
    for (let i = 0; i < 2000; i++)
      c.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `item ${i}` }] },
      });
    for (let i = 0; i < 500; i++) c.send({ type: 'response.create', event_id: `r${i}` });
    await waitFor(
      () => c.events.filter((e) => e.type === 'response.done').length >= 1 && errors(c.events).length >= 499,
      30_000,
    );
    await sleep(300);
    const added = c.events.filter(
      (e) => e.type === 'conversation.item.added' && (e.item as { role: string }).role === 'user',
    );
    assert.equal(added.length, 2000);
    assert.equal(c.events.filter((e) => e.type === 'response.created').length, 1);
    const refused = errors(c.events);
    assert.equal(refused.length, 499);
    assert.ok(refused.every((e) => e.code === 'conversation_already_has_active_response'));
    assert.match(
      String((await c.next('response.output_audio_transcript.done', () => true, 30_000)).transcript),
      /You wrote: item 1999\./,
    );
  });

  test('a flood on the observer WebSocket (3,000 events) is answered the same way', async () => {
    const c = await call();
    const o = await observer(c);
    for (let i = 0; i < 3000; i++) o.ws.send(`{"type":"flood","event_id":"o${i}"}`);
    await waitFor(() => errors(o.events).length >= 3000, 30_000);
    assert.equal(errors(o.events).at(-1)!.event_id, 'o2999');
    assert.match(await stillAnswers(c), /still alive/);
    o.ws.close();
  });
});

describe('hostile HTTP', () => {
  test('client_secrets: 200 random bodies and content types (fast-check), deep sessions included → 200 or a JSON 4xx, never 5xx', async () => {
    const deep = fc
      .integer({ min: 100, max: 40_000 })
      .map((d) => `{"session":{"type":"realtime","tracing":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}}`);
    const body = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.json(),
      fc.string(),
      deep,
      fc
        .record(
          {
            session: fc.record(
              {
                type: fc.constantFrom('realtime', 'transcription', 'constructor', '__proto__'),
                instructions: fc.string(),
              },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    const type = fc.constantFrom(
      'application/json',
      'application/json; charset=bogus',
      'text/plain',
      'application/sdp',
      '',
    );
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(body, type, async (b, t) => {
        const res = await fetch(`${ctx.base}/v1/realtime/client_secrets`, {
          method: 'POST',
          headers: { Authorization: 'Bearer sk-test', ...(t ? { 'Content-Type': t } : {}) },
          body: b,
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status === 200 || (res.status >= 400 && res.status < 500), `${res.status} ${text.slice(0, 200)}`);
        if (res.status !== 200) assert.match(JSON.parse(text).error.code, /^[a-z_]+$/);
      }),
      { numRuns: 200 },
    );
    assert.ok(
      (statuses.get(200) ?? 0) > 0 && [...statuses.keys()].some((s) => s >= 400),
      JSON.stringify([...statuses]),
    );
  });

  test('a session nested 40,000 levels deep gets 400 invalid_value (regression: 500, with the token issued anyway)', async () => {
    const res = await fetch(`${ctx.base}/v1/realtime/client_secrets`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk-test', 'Content-Type': 'application/json' },
      body: `{"session":{"type":"realtime","tracing":${'{"a":'.repeat(40_000)}1${'}'.repeat(40_000)}}}`,
    });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error.message, /nested more than 64 levels/);
  });
});

describe('hostile offers', () => {
  test('300 random SDP offers (fast-check: shuffled real lines and junk) → 400 JSON or a working call; no call left behind', async () => {
    const { value } = await WrtcClient.mintToken(ctx.base);
    const real = [
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
      'a=rtpmap:111 opus/48000/2',
      'a=fingerprint:sha-256 00:11',
      'a=setup:actpass',
      'a=ice-ufrag:abcd',
      'a=ice-pwd:abcdefghijklmnopqrstuvwx',
      'a=mid:0',
      'a=group:BUNDLE 0',
      'c=IN IP4 0.0.0.0',
      'a=candidate:1 1 udp 1 127.0.0.1 9 typ host',
      'a=sctp-port:5000',
      'a=max-message-size:99999999999',
    ];
    const line = fc.oneof(
      fc.constantFrom(...real),
      fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n]/g, '')),
    );
    const before = ctx.emulator.calls.size;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 40 }), async (lines) => {
        const res = await fetch(`${ctx.base}/v1/realtime/calls`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${value}` },
          body: `${['v=0', ...lines].join('\r\n')}\r\n`,
        });
        const text = await res.text();
        assert.ok(res.status === 400 || res.status === 201, `${res.status} ${text.slice(0, 200)}`);
        if (res.status === 400) assert.equal(JSON.parse(text).error.code, 'invalid_offer');
        else
          await fetch(`${ctx.base}${res.headers.get('location')}/hangup`, {
            method: 'POST',
            headers: { Authorization: 'Bearer sk-test' },
          });
      }),
      { numRuns: 300 },
    );
    assert.equal(ctx.emulator.calls.size, before, 'refused offers leave no call open');
  });
});

describe('concurrency', () => {
  // Spoken answers make this the heaviest test (20 syntheses, 40 audio tracks in one process): allow it time.
  test(
    '20 concurrent spoken calls stay independent, while 5 of them are flooded with garbage',
    { timeout: 180_000 },
    async () => {
      const voices = VOICES;
      const calls = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call({ instructions: `You are agent ${i}.`, audio: { output: { voice: voices[i % 10] } } }),
        ),
      );
      assert.equal(new Set(calls.map((c) => c.callId)).size, 20);
      assert.ok(calls.every((c) => ctx.emulator.calls.has(c.callId)));
      calls.forEach((c, i) => {
        c.send({
          type: 'conversation.item.create',
          item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: `question ${i}` }] },
        });
        c.send({ type: 'response.create' });
      });
      const flooded = calls.filter((_, i) => i % 4 === 0);
      for (let n = 0; n < 200; n++) for (const c of flooded) c.send(n % 2 ? '{"type":"garbage"}' : '[[[');

      const transcripts = await Promise.all(
        calls.map((c) => c.next('response.output_audio_transcript.done', () => true, 60_000)),
      );
      transcripts.forEach((t, i) =>
        assert.equal(t.transcript, `You wrote: question ${i}. My instructions begin: You are agent ${i}.`),
      );
      await Promise.all(calls.map((c) => c.next('output_audio_buffer.stopped', () => true, 60_000)));
      calls.forEach((c, i) => {
        // Each heard only its own conversation: its own words in every delta, its own voice, audio that arrived.
        const deltas = c.events
          .filter((e) => e.type === 'response.output_audio_transcript.delta')
          .map((e) => e.delta)
          .join('');
        assert.equal(deltas, transcripts[i]!.transcript);
        assert.ok(
          !c.events.some((e) => new RegExp(`question (?!${i}\\b)\\d+`).test(JSON.stringify(e))),
          `call ${i} saw another call's words`,
        );
        assert.equal(
          (c.events[0]!.session as { audio: { output: { voice: string } } }).audio.output.voice,
          voices[i % 10],
        );
        assert.equal(errors(c.events).length, flooded.includes(c) ? 200 : 0, `call ${i}'s errors`);
        assert.ok(c.receivedLevels.filter((level) => level > 0.01).length > 30, `call ${i} heard its answer`);
      });
    },
  );
});

describe('conformance', () => {
  test('every server event in these tests, error events included, conforms to the GA schemas', () => {
    const all = [...observed, ...ctx.clients.flatMap((c) => c.events)];
    assert.ok(all.length > 10_000, `saw ${all.length} events`);
    assert.deepEqual(all.map(checkServerEvent).filter(Boolean).slice(0, 5), []);
  });
});
