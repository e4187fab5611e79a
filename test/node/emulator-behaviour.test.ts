// The emulator's conversation where a client can tell it from the service: idle timeouts and
// out-of-band responses, as the OpenAPI description words them. Driven without transport (the
// conversation API), so the timers can be mocked; every event is held to the GA schemas.
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { Conversation, type ServerEvent } from '../../emulator/src/conversation.ts';
import { checkServerEvent } from '../../emulator/src/protocol/event-schemas.ts';
import { applySession, defaultSession } from '../../emulator/src/session.ts';
import { Speaker } from '../../emulator/src/speaker.ts';
import { RATE } from '../../emulator/src/audio.ts';

function conversation(session: Parameters<typeof applySession>[1] = { type: 'realtime' }) {
  const events: ServerEvent[] = [];
  const c = new Conversation(applySession(defaultSession(), session), {
    emit: (e) => events.push({ event_id: `event_${events.length}`, ...e }),
  });
  const send = (event: Record<string, unknown>) => c.handleClientEvent(JSON.stringify(event));
  const types = () => events.map((e) => e.type);
  return { c, events, send, types };
}

const typed = (text: string) => ({
  type: 'conversation.item.create',
  item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
});

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
    assert.deepEqual(after.map((e) => e.type).slice(0, 5), [
      'input_audio_buffer.timeout_triggered',
      'input_audio_buffer.committed',
      'conversation.item.added',
      'conversation.item.done',
      'response.created',
    ]);
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
      const { c, send, types } = conversation({
        type: 'realtime',
        output_modalities: ['text'],
        audio: { input: { turn_detection: td } },
      });
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
  send({
    type: 'response.create',
    response: { conversation: 'none', metadata: { topic: 'classification' }, output_modalities: ['text'] },
  });
  const done = events.find((e) => e.type === 'response.done')!.response as {
    metadata: unknown;
    conversation_id: unknown;
    output: unknown[];
  };
  assert.deepEqual(done.metadata, { topic: 'classification' });
  assert.equal(done.conversation_id, null);
  assert.equal(done.output.length, 1);
  assert.equal(c.items.length, itemsBefore, 'the answer is not in the conversation');
  assert.equal(types().filter((t) => t === 'conversation.item.added').length, added);
  assert.equal(
    types().includes('conversation.item.done') && events.filter((e) => e.type === 'conversation.item.done').length,
    1,
    'only the user item',
  );
  assert.equal(
    events.find((e) => e.type === 'response.output_text.done')!.text,
    'You wrote: classify me.' + ` My instructions begin: ${'Your knowledge cutoff is 2023-10. You are a'}.`,
  );

  // `input` replaces the context: [] means none.
  send({ type: 'response.create', response: { conversation: 'none', input: [], output_modalities: ['text'] } });
  assert.match(
    String(events.filter((e) => e.type === 'response.output_text.done').at(-1)!.text),
    /^Hello, this is the realtime emulator\./,
  );
  send({
    type: 'response.create',
    response: { conversation: 'none', input: [typed('inline only').item], output_modalities: ['text'] },
  });
  assert.match(
    String(events.filter((e) => e.type === 'response.output_text.done').at(-1)!.text),
    /^You wrote: inline only\./,
  );

  // A default response still sees only the conversation.
  send({ type: 'response.create' });
  const last = events.filter((e) => e.type === 'response.done').at(-1)!.response as {
    conversation_id: string;
    metadata: unknown;
  };
  assert.match(last.conversation_id, /^conv_/);
  assert.equal(last.metadata, null);
  assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
  c.close();
});

/** A conversation that speaks: a real Speaker pacing into a sink that counts frames, and a synthesizer of `ms` of tone. */
function speakingConversation(ms: number) {
  const events: (ServerEvent & { at: number })[] = [];
  let loudFrames = 0;
  const speaker = new Speaker({ onData: ({ samples }) => void (samples.some((v) => v !== 0) && loudFrames++) });
  const samples = new Int16Array((RATE * ms) / 1000).fill(3000);
  const c = new Conversation(
    applySession(defaultSession(), { type: 'realtime', audio: { input: { turn_detection: null } } }),
    {
      emit: (e) => events.push({ event_id: `event_${events.length}`, ...e, at: performance.now() }),
      speaker,
      synthesize: async () => ({ samples, durationMs: ms, variant: 'tone' }),
    },
  );
  speaker.start();
  const send = (event: Record<string, unknown>) => c.handleClientEvent(JSON.stringify(event));
  const next = async (type: string, timeoutMs = 5000) => {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const found = events.find((e) => e.type === type);
      if (found) return found;
      if (performance.now() > deadline)
        throw new Error(`no ${type} in ${timeoutMs} ms: ${events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  const stop = () => {
    c.close();
    speaker.stop();
  };
  return { c, events, send, next, stop, loudFrames: () => loudFrames };
}

test('response.done comes when the answer is generated, output_audio_buffer.stopped when its audio has played (as the service over WebRTC)', async () => {
  const { events, send, next, stop } = speakingConversation(2000);
  try {
    send(typed('a long answer please'));
    send({ type: 'response.create' });
    const started = await next('output_audio_buffer.started');
    const done = await next('response.done');
    const stopped = await next('output_audio_buffer.stopped');
    assert.equal((done.response as { status: string }).status, 'completed');
    assert.ok(
      done.at - started.at < 1000,
      `response.done ${Math.round(done.at - started.at)} ms after the audio started, while 2 s of it play`,
    );
    assert.ok(stopped.at - started.at >= 1900, `stopped after ${Math.round(stopped.at - started.at)} ms of 2000`);
    const order = events
      .map((e) => e.type)
      .filter((t) => /^(response\.(done|output_audio_transcript\.done)|output_audio_buffer\.\w+)$/.test(t));
    assert.deepEqual(order, [
      'output_audio_buffer.started',
      'response.output_audio_transcript.done',
      'response.done',
      'output_audio_buffer.stopped',
    ]);
    assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
  } finally {
    stop();
  }
});

test('after response.done: response.cancel finds nothing to cancel, output_audio_buffer.clear cuts the audio and the item keeps only what was heard', async () => {
  const { c, events, send, next, stop } = speakingConversation(3000);
  try {
    send(typed('a long answer please'));
    send({ type: 'response.create' });
    const done = await next('response.done');
    const item = (done.response as { output: { id: string; content: { transcript: string }[] }[] }).output[0]!;
    const whole = item.content[0]!.transcript;
    const started = await next('output_audio_buffer.started');
    await new Promise((r) => setTimeout(r, 1200 - (performance.now() - started.at)));
    send({ type: 'response.cancel' });
    assert.equal((events.at(-1)!.error as { code: string }).code, 'response_cancel_not_active');
    send({ type: 'output_audio_buffer.clear' });
    assert.equal(events.at(-1)!.type, 'output_audio_buffer.cleared');
    assert.equal(events.filter((e) => e.type === 'response.done').length, 1, 'no second response.done');
    const heard = c.items.find((i) => i.id === item.id)!.content![0]!.transcript!;
    assert.ok(
      heard.length > 0 && heard.length < whole.length && whole.startsWith(heard),
      `heard "${heard}" of "${whole}"`,
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      events.some((e) => e.type === 'output_audio_buffer.stopped'),
      false,
      'a cleared buffer does not also say stopped',
    );
  } finally {
    stop();
  }
});

test('response.cancel while the answer is generated: response.done cancelled, and only the audio generated by then plays', async () => {
  const { events, send, next, stop, loudFrames } = speakingConversation(4000);
  try {
    send(typed('a long answer please'));
    send({ type: 'response.create' });
    const started = await next('output_audio_buffer.started');
    await new Promise((r) => setTimeout(r, 250));
    send({ type: 'response.cancel' });
    const done = await next('response.done');
    assert.equal(
      (done.response as { status: string; status_details: { reason: string } }).status_details.reason,
      'client_cancelled',
    );
    const stopped = await next('output_audio_buffer.stopped');
    const playedMs = stopped.at - started.at;
    // ~250 ms at 4× real time: about 1 s of the 4 s answer was generated.
    assert.ok(playedMs > 600 && playedMs < 2500, `played ${Math.round(playedMs)} ms`);
    assert.ok(loudFrames() * 10 < 2500, `${loudFrames()} loud frames`);
    assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
  } finally {
    stop();
  }
});

test('max_output_tokens cuts a text answer: response.done incomplete (max_output_tokens), its usage within the cap, the item shorter', () => {
  const full = conversation({ type: 'realtime', output_modalities: ['text'] });
  full.send(typed('please tell me a long story about the sea and the ships on it'));
  full.send({ type: 'response.create' });
  const whole = full.events.find((e) => e.type === 'response.output_text.done')!.text as string;
  full.c.close();

  const { c, events, send } = conversation({ type: 'realtime', output_modalities: ['text'], max_output_tokens: 12 });
  send(typed('please tell me a long story about the sea and the ships on it'));
  send({ type: 'response.create' });
  const done = events.find((e) => e.type === 'response.done')!.response as {
    status: string;
    status_details: { type: string; reason: string };
    usage: { output_tokens: number };
    output: { status: string; content: { text: string }[] }[];
  };
  assert.equal(done.status, 'incomplete');
  assert.deepEqual(done.status_details, { type: 'incomplete', reason: 'max_output_tokens' });
  assert.ok(done.usage.output_tokens <= 12, `${done.usage.output_tokens} output tokens`);
  const cut = done.output[0]!.content[0]!.text;
  assert.ok(cut.length < whole.length && whole.startsWith(cut), `"${cut}" of "${whole}"`);
  assert.equal(done.output[0]!.status, 'incomplete');
  // The per-response cap wins over the session's: "inf" gives the whole answer.
  send(typed('please tell me a long story about the sea and the ships on it'));
  send({ type: 'response.create', response: { max_output_tokens: 'inf' } });
  const second = events.filter((e) => e.type === 'response.done')[1]!.response as { status: string };
  assert.equal(second.status, 'completed');
  assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
  c.close();
});

test('max_output_tokens cuts a spoken answer: its audio and transcript end at the same share, the response incomplete', async () => {
  const { c, events, send, next, stop } = speakingConversation(3000);
  try {
    // 3 s of audio cost 60 tokens; 30 leaves less than half of it.
    send({ type: 'session.update', session: { type: 'realtime', max_output_tokens: 30 } });
    send(typed('a long answer please'));
    send({ type: 'response.create' });
    const started = await next('output_audio_buffer.started');
    const done = (await next('response.done')).response as {
      status: string;
      status_details: { reason: string };
      usage: { output_tokens: number };
    };
    const stopped = await next('output_audio_buffer.stopped');
    assert.equal(done.status, 'incomplete');
    assert.equal(done.status_details.reason, 'max_output_tokens');
    assert.ok(done.usage.output_tokens <= 30, `${done.usage.output_tokens} output tokens`);
    const playedMs = stopped.at - started.at;
    assert.ok(playedMs < 1600, `played ${Math.round(playedMs)} ms of a 3000 ms answer`);
    const transcript = events.find((e) => e.type === 'response.output_audio_transcript.done')!.transcript as string;
    const deltas = events.filter((e) => e.type === 'response.output_audio_transcript.delta').map((e) => e.delta);
    assert.equal(deltas.join(''), transcript);
    assert.ok(transcript.length > 0);
    assert.deepEqual(events.map(checkServerEvent).filter(Boolean), []);
    void c;
  } finally {
    stop();
  }
});

test("semantic_vad's eagerness decides how long a pause ends the turn (low waits longest); session.update changes it mid-call", () => {
  /** Audio-time (ms after the speech ended) at which speech_stopped came, for a 1 s tone and 3 s of silence. */
  const pauseBeforeTurnEnds = (c: Conversation, events: ServerEvent[]) => {
    const frame = (amplitude: number) => new Int16Array(480).fill(amplitude); // 10 ms at 48 kHz
    const before = events.length;
    for (let i = 0; i < 100; i++) c.onInputFrame(frame(8000), 48_000, 1);
    for (let i = 0; i < 300; i++) {
      c.onInputFrame(frame(0), 48_000, 1);
      if (events.slice(before).some((e) => e.type === 'input_audio_buffer.speech_stopped')) return (i + 1) * 10;
    }
    return Infinity;
  };
  const pauses: Record<string, number> = {};
  for (const eagerness of ['low', 'medium', 'high'] as const) {
    const { c, events } = conversation({
      type: 'realtime',
      output_modalities: ['text'],
      audio: { input: { turn_detection: { type: 'semantic_vad', eagerness, create_response: false } } },
    });
    pauses[eagerness] = pauseBeforeTurnEnds(c, events);
    c.close();
  }
  assert.ok(pauses.low! > pauses.medium! && pauses.medium! > pauses.high!, JSON.stringify(pauses));
  assert.ok(pauses.low! >= 1400 && pauses.high! <= 500, JSON.stringify(pauses));

  const { c, events, send } = conversation({
    type: 'realtime',
    output_modalities: ['text'],
    audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low', create_response: false } } },
  });
  const low = pauseBeforeTurnEnds(c, events);
  send({
    type: 'session.update',
    session: { type: 'realtime', audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } } } },
  });
  const high = pauseBeforeTurnEnds(c, events);
  assert.ok(high < low - 700, `after the update: ${high} ms, before: ${low} ms`);
  c.close();
});
