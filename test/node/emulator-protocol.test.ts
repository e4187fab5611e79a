// The emulator's protocol, route by route and event by event, against real
// HTTP and real WebRTC (a wrtc client). Every server event any test sees is
// checked against the project's GA schemas at the end.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import WebSocket from 'ws';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import { defaultSession } from '../../emulator/src/session.ts';
import { synthesize } from '../../emulator/src/tts.ts';
import { useEmulator } from './support/use-emulator.ts';
import { WrtcClient, sleep, type ClientEvent } from './support/wrtc-client.ts';

const ctx = useEmulator();
const everyEvent: ClientEvent[] = [];

async function call(session: Record<string, unknown> = {}, query = '', prefix = '/v1/realtime'): Promise<WrtcClient> {
  const { value } = await WrtcClient.mintToken(ctx.base, session, prefix);
  const c = ctx.client();
  await c.connect(ctx.base, value, query, prefix);
  if (!query.includes('webrtcfilter')) await c.next('session.created');
  return c;
}

function textTurn(
  c: WrtcClient,
  text: string,
  response: Record<string, unknown> = { output_modalities: ['text'] },
): void {
  c.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  });
  c.send({ type: 'response.create', response });
}

const post = (path: string, init: RequestInit) => fetch(`${ctx.base}${path}`, init);

describe('HTTP routes', () => {
  test('client_secrets: key required, ek_ token with expires_at (600 s by default), strict session', async () => {
    const missing = await post('/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).error.code, 'missing_api_key');

    const ok = await post('/openai/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'api-key': 'azure-key' },
      body: JSON.stringify({
        session: { type: 'realtime', model: 'my-deployment', audio: { output: { voice: 'cedar' } } },
      }),
    });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('cache-control'), 'no-store');
    const body = await ok.json();
    assert.match(body.value, /^ek_/);
    assert.ok(Math.abs(body.expires_at - (Date.now() / 1000 + 600)) < 5);
    assert.equal(body.session.model, 'my-deployment');
    assert.equal(body.session.audio.output.voice, 'cedar');

    const short = await WrtcClient.mintToken(ctx.base, {});
    assert.ok(short.expires_at > Date.now() / 1000);
    const ttl = await post('/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test' },
      body: JSON.stringify({ expires_after: { anchor: 'created_at', seconds: 30 }, session: { type: 'realtime' } }),
    });
    assert.ok(Math.abs((await ttl.json()).expires_at - (Date.now() / 1000 + 30)) < 5);

    const beta = await post('/v1/realtime/client_secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer sk-test' },
      body: JSON.stringify({ session: { type: 'realtime', modalities: ['audio'] } }),
    });
    assert.equal(beta.status, 400);
    assert.deepEqual((await beta.json()).error, {
      type: 'invalid_request_error',
      code: 'unknown_parameter',
      message: "Unknown parameter: 'session.modalities'.",
      param: 'session.modalities',
    });
  });

  test('calls: unknown, expired and missing tokens → 401 JSON; a non-SDP offer → 400; CORS headers on errors', async () => {
    const unknown = await post('/v1/realtime/calls', {
      method: 'POST',
      headers: { Authorization: 'Bearer ek_unknown', 'Content-Type': 'application/sdp', Origin: 'http://page.test' },
      body: 'v=0\r\n',
    });
    assert.equal(unknown.status, 401);
    assert.equal(unknown.headers.get('access-control-allow-origin'), 'http://page.test');
    assert.equal((await unknown.json()).error.code, 'invalid_api_key');

    const expired = ctx.emulator.tokens.issue(defaultSession(), -1);
    const old = await post('/v1/realtime/calls', {
      method: 'POST',
      headers: { Authorization: `Bearer ${expired.value}`, 'Content-Type': 'application/sdp' },
      body: 'v=0\r\n',
    });
    assert.equal(old.status, 401);
    assert.equal((await old.json()).error.code, 'expired_token');

    const { value } = await WrtcClient.mintToken(ctx.base);
    const notSdp = await post('/v1/realtime/calls', {
      method: 'POST',
      headers: { Authorization: `Bearer ${value}`, 'Content-Type': 'application/json' },
      body: '{"sdp":"v=0"}',
    });
    assert.equal(notSdp.status, 400);
    assert.equal((await notSdp.json()).error.code, 'invalid_offer');
  });

  test('calls in the Azure dialect: 201, Location with the call id; hangup ends it', async () => {
    const c = await call({}, '', '/openai/v1/realtime');
    assert.match(c.callId, /^rtc_/);
    assert.ok(ctx.emulator.calls.has(c.callId));
    const closed = new Promise<void>((resolve) => c.channel.addEventListener('close', () => resolve()));
    const hangup = await post(`/openai/v1/realtime/calls/${c.callId}/hangup`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
    });
    assert.equal(hangup.status, 200);
    await closed;
    assert.equal(ctx.emulator.calls.has(c.callId), false);
    const again = await post(`/openai/v1/realtime/calls/${c.callId}/hangup`, {
      method: 'POST',
      headers: { 'api-key': 'k' },
    });
    assert.equal(again.status, 404);
  });
});

describe('session.update', () => {
  test("valid updates are merged and confirmed; bad ones get the service's error codes and change nothing", async () => {
    const c = await call({ instructions: 'One.' });
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        instructions: 'Two.',
        audio: { output: { speed: 1.25 }, input: { turn_detection: { type: 'server_vad', silence_duration_ms: 800 } } },
      },
    });
    const updated = await c.next('session.updated');
    const session = updated.session as ReturnType<typeof defaultSession>;
    assert.equal(session.instructions, 'Two.');
    assert.equal(session.audio.output.speed, 1.25);
    assert.equal(session.audio.output.voice, 'alloy');
    assert.deepEqual(session.audio.input.turn_detection, {
      type: 'server_vad',
      threshold: 0.5,
      prefix_padding_ms: 300,
      silence_duration_ms: 800,
      idle_timeout_ms: null,
      create_response: true,
      interrupt_response: true,
    });
    assert.equal(ctx.emulator.calls.get(c.callId)!.conversation.vad.settings.silence_duration_ms, 800);

    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ type: 'realtime', modalities: ['audio'] }, 'unknown_parameter', 'session.modalities'],
      [{ type: 'realtime', audio: { output: { speed: 3 } } }, 'invalid_value', 'session.audio.output.speed'],
      [
        { type: 'realtime', audio: { input: { turn_detection: { type: 'server_vad', threshold: 1.5 } } } },
        'invalid_value',
        'session.audio.input.turn_detection.threshold',
      ],
      [{ instructions: 'no type' }, 'missing_required_parameter', 'session.type'],
      [{ type: 'realtime', audio: { output: { voice: 'robot' } } }, 'invalid_value', 'session.audio.output.voice'],
    ];
    for (const [bad, code, param] of cases) {
      c.send({ type: 'session.update', event_id: `bad_${code}_${param}`, session: bad });
      const error = await c.next('error', (e) => (e.error as { event_id: string }).event_id === `bad_${code}_${param}`);
      assert.equal((error.error as { code: string }).code, code, JSON.stringify(bad));
      assert.equal((error.error as { param: string }).param, param);
    }
    textTurn(c, 'check');
    const done = await c.next('response.output_text.done');
    assert.match(String(done.text), /My instructions begin: Two\./);
  });
});

describe('turns and responses', () => {
  test('text turn in text modality: item added/done, output_text deltas add up to the text', async () => {
    const c = await call({ instructions: 'Be concise and kind.' });
    textTurn(c, 'What is two and two?');
    const added = await c.next('conversation.item.added', (e) => (e.item as { role: string }).role === 'user');
    assert.equal((added.item as { content: Array<{ text: string }> }).content[0]!.text, 'What is two and two?');
    const done = await c.next('response.output_text.done');
    assert.equal(done.text, 'You wrote: What is two and two? My instructions begin: Be concise and kind.');
    const deltas = c.events
      .filter((e) => e.type === 'response.output_text.delta')
      .map((e) => e.delta)
      .join('');
    assert.equal(deltas, done.text);
    const responseDone = await c.next('response.done');
    assert.equal((responseDone.response as { status: string }).status, 'completed');
    assert.ok((responseDone.response as { usage: { total_tokens: number } }).usage.total_tokens > 0);
  });

  test('response.create while one is active → conversation_already_has_active_response', async () => {
    const c = await call();
    textTurn(c, 'long answer', {});
    c.send({ type: 'response.create', event_id: 'second' });
    const error = await c.next('error');
    assert.equal((error.error as { code: string }).code, 'conversation_already_has_active_response');
    assert.equal((error.error as { event_id: string }).event_id, 'second');
  });

  test('function calling: a tool call, then function_call_output + response.create gets the follow-up', async () => {
    const c = await call();
    c.send({
      type: 'session.update',
      session: {
        type: 'realtime',
        output_modalities: ['text'],
        tools: [
          { type: 'function', name: 'get_time', description: 'Time', parameters: { type: 'object', properties: {} } },
          {
            type: 'function',
            name: 'get_weather',
            description: 'Weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        ],
      },
    });
    await c.next('session.updated');
    textTurn(c, 'Use get_weather for Paris', {});
    const args = await c.next('response.function_call_arguments.done');
    assert.equal(args.name, 'get_weather');
    assert.deepEqual(JSON.parse(String(args.arguments)), { city: 'Use get_weather for Paris' });
    const item = await c.next(
      'response.output_item.done',
      (e) => (e.item as { type: string }).type === 'function_call',
    );
    assert.equal((item.item as { call_id: string }).call_id, args.call_id);
    await c.next('response.done');

    c.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: args.call_id, output: '{"temperature":21}' },
    });
    c.send({ type: 'response.create' });
    const followUp = await c.next('response.output_text.done');
    assert.equal(followUp.text, 'The get_weather tool answered: {"temperature":21}.');
  });

  test('manual turns (turn_detection: null): no VAD events; commit makes the user item; an empty commit is refused', async () => {
    const c = await call({ audio: { input: { turn_detection: null } } });
    c.send({ type: 'input_audio_buffer.clear' });
    await c.next('input_audio_buffer.cleared');
    c.send({ type: 'input_audio_buffer.commit', event_id: 'too_early' });
    const empty = await c.next('error');
    assert.equal((empty.error as { code: string }).code, 'input_audio_buffer_commit_empty');

    const speech = await synthesize('Push to talk works.', 'alloy', 1);
    await c.speak(speech.samples);
    await sleep(400);
    assert.equal(
      c.events.some((e) => e.type.startsWith('input_audio_buffer.speech')),
      false,
    );
    c.send({ type: 'input_audio_buffer.commit' });
    const committed = await c.next('input_audio_buffer.committed');
    const added = await c.next('conversation.item.added');
    assert.equal((added.item as { id: string }).id, committed.item_id);
    assert.equal(
      c.events.some((e) => e.type === 'response.created'),
      false,
      'no automatic response',
    );
  });
});

describe('interruption', () => {
  test('barge-in: user speech during an answer cancels it (turn_detected) and clears the audio', async () => {
    const c = await call();
    textTurn(c, 'Tell me a long story about the sea and the wind and the ships.', {});
    const started = await c.next('output_audio_buffer.started');
    const speech = await synthesize('Stop, please.', 'ash', 1);
    void c.speak(speech.samples);
    const cleared = await c.next('output_audio_buffer.cleared');
    const done = await c.next('response.done');
    const response = done.response as { id: string; status: string; status_details: { reason: string } };
    assert.equal(cleared.response_id, started.response_id);
    assert.equal(response.status, 'cancelled');
    assert.equal(response.status_details.reason, 'turn_detected');
    const speechStarted = c.events.findIndex((e) => e.type === 'input_audio_buffer.speech_started');
    assert.ok(speechStarted >= 0 && speechStarted < c.events.indexOf(cleared));
  });

  test('response.cancel + output_audio_buffer.clear from the client; cancel with nothing active → response_cancel_not_active', async () => {
    const c = await call();
    textTurn(c, 'Say something long enough to interrupt, with many many words in it.', {});
    await c.next('output_audio_buffer.started');
    c.send({ type: 'response.cancel' });
    c.send({ type: 'output_audio_buffer.clear' });
    const done = await c.next('response.done');
    assert.equal((done.response as { status: string }).status, 'cancelled');
    assert.equal((done.response as { status_details: { reason: string } }).status_details.reason, 'client_cancelled');
    await c.next('output_audio_buffer.cleared');
    c.send({ type: 'response.cancel', event_id: 'nothing' });
    const error = await c.next('error');
    assert.deepEqual(
      [(error.error as { code: string }).code, (error.error as { event_id: string }).event_id],
      ['response_cancel_not_active', 'nothing'],
    );
  });

  test('conversation.item.truncate is accepted for assistant audio, refused for an unknown item', async () => {
    const c = await call();
    textTurn(c, 'Hi', {});
    const item = await c.next('response.output_item.done');
    await c.next('output_audio_buffer.stopped');
    c.send({
      type: 'conversation.item.truncate',
      item_id: (item.item as { id: string }).id,
      content_index: 0,
      audio_end_ms: 300,
    });
    const truncated = await c.next('conversation.item.truncated');
    assert.equal(truncated.audio_end_ms, 300);
    c.send({ type: 'conversation.item.truncate', item_id: 'item_nope', content_index: 0, audio_end_ms: 1 });
    assert.equal(((await c.next('error')).error as { code: string }).code, 'item_truncate_invalid_item_id');
  });

  test('voice is locked once the assistant has spoken (cannot_update_voice), other fields stay updatable', async () => {
    const c = await call();
    textTurn(c, 'Hi', {});
    await c.next('output_audio_buffer.stopped');
    c.send({ type: 'session.update', session: { type: 'realtime', audio: { output: { voice: 'verse' } } } });
    assert.equal(((await c.next('error')).error as { code: string }).code, 'cannot_update_voice');
    c.send({ type: 'session.update', session: { type: 'realtime', instructions: 'Still fine.' } });
    assert.equal(((await c.next('session.updated')).session as { instructions: string }).instructions, 'Still fine.');
  });
});

describe('filter, observer, robustness, concurrency', () => {
  test('webrtcfilter=on passes only the documented subset; the observer WebSocket gets everything and controls the call', async () => {
    const c = await call({}, '?webrtcfilter=on');
    const observed: ClientEvent[] = [];
    const ws = new WebSocket(`${ctx.base.replace('http', 'ws')}/v1/realtime?call_id=${c.callId}`, {
      headers: { Authorization: 'Bearer sk-server' },
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => observed.push(JSON.parse(data.toString())));
    ws.send(
      JSON.stringify({
        type: 'session.update',
        session: { type: 'realtime', instructions: 'Set by the observer.', output_modalities: ['text'] },
      }),
    );
    for (let i = 0; i < 50 && !observed.some((e) => e.type === 'session.updated'); i++) await sleep(20);
    textTurn(c, 'hello', {});
    await c.next('response.output_text.done');
    await sleep(200);
    const passes = new Set([
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'output_audio_buffer.started',
      'output_audio_buffer.stopped',
      'conversation.item.input_audio_transcription.completed',
      'conversation.item.added',
      'conversation.item.created',
      'response.output_text.delta',
      'response.output_text.done',
      'response.output_audio_transcript.delta',
      'response.output_audio_transcript.done',
    ]);
    assert.deepEqual(
      c.events.filter((e) => !passes.has(e.type)).map((e) => e.type),
      [],
    );
    assert.ok(observed.some((e) => e.type === 'session.updated'));
    assert.ok(observed.some((e) => e.type === 'response.done'));
    const text = c.events.find((e) => e.type === 'response.output_text.done')!;
    assert.match(String(text.text), /Set by the observer\./);
    everyEvent.push(...observed);
    ws.close();

    const refused = await new Promise<number>((resolve) => {
      const bad = new WebSocket(`${ctx.base.replace('http', 'ws')}/v1/realtime?call_id=${c.callId}`);
      bad.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      bad.on('error', () => {});
    });
    assert.equal(refused, 401);
  });

  test('malformed and hostile client events get error events; the call and the emulator carry on', async () => {
    const c = await call();
    const bad: Array<[string | Record<string, unknown>, string]> = [
      ['{not json', 'invalid_json'],
      ['[1,2,3]', 'invalid_value'],
      [{ no: 'type' }, 'missing_required_parameter'],
      [{ type: 'no.such.event' }, 'invalid_value'],
      [{ type: 'conversation.item.create' }, 'missing_required_parameter'],
      [
        { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: 'wrong type' } },
        'invalid_value',
      ],
      [
        {
          type: 'session.update',
          session: JSON.parse('{"type":"realtime","audio":' + '{"input":'.repeat(50) + '{}' + '}'.repeat(51)),
        },
        'unknown_parameter',
      ],
      [{ type: 'response.create', response: { output_modalities: ['audio', 'text'] } }, 'invalid_value'],
    ];
    for (const [event] of bad) c.send(event);
    for (let i = 0; i < 50 && c.events.filter((e) => e.type === 'error').length < bad.length; i++) await sleep(50);
    const codes = c.events.filter((e) => e.type === 'error').map((e) => (e.error as { code: string }).code);
    assert.deepEqual(
      codes,
      bad.map(([, code]) => code),
      JSON.stringify(c.events.filter((e) => e.type === 'error').map((e) => e.error)),
    );
    textTurn(c, 'still alive?');
    assert.match(String((await c.next('response.output_text.done')).text), /still alive\?/);
  });

  test('a browser that vanishes mid-answer does not take the emulator down (regression: send on a closing channel threw in a timer)', async () => {
    for (let i = 0; i < 3; i++) {
      const c = await call();
      textTurn(c, 'Talk for a while about anything at all, please, at length.', {});
      await c.next('output_audio_buffer.started');
      await sleep(150 * i);
      c.channel.close();
      c.pc.close();
    }
    await sleep(1500);
    const after = await call({ output_modalities: ['text'] });
    textTurn(after, 'still there?');
    assert.match(String((await after.next('response.output_text.done')).text), /still there\?/);
  });

  test('ten calls at once stay independent', async () => {
    const many = await Promise.all(
      Array.from({ length: 10 }, (_, i) => call({ instructions: `Call number ${i}.`, output_modalities: ['text'] })),
    );
    many.forEach((c, i) => textTurn(c, `message ${i}`));
    const texts = await Promise.all(many.map((c) => c.next('response.output_text.done')));
    texts.forEach((t, i) => assert.equal(t.text, `You wrote: message ${i}. My instructions begin: Call number ${i}.`));
    assert.equal(new Set(many.map((c) => c.callId)).size, 10);
  });

  test('every server event seen in these tests conforms to the GA schemas', () => {
    const all = [...everyEvent, ...ctx.clients.flatMap((c) => c.events)];
    assert.ok(all.length > 100, `saw ${all.length} events`);
    assert.deepEqual(all.map(checkServerEvent).filter(Boolean), []);
  });
});
