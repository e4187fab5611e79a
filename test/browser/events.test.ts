import { expect } from '@open-wc/testing';
import type { FakeCall } from '../fakes/fake-realtime-service.js';
import { nextEvent, record, sleep, tokenUrl, useFakeService, voiceFixture } from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

describe('events: every server event re-dispatched, transcripts, client events', () => {
  const fake = useFakeService();
  let el: RealtimeVoice;
  let call: FakeCall;

  beforeEach(async () => {
    el = await voiceFixture({ 'token-url': tokenUrl().url, voice: 'marin', instructions: 'First.' });
    expect(await el.start()).to.equal(true);
    call = fake.service.lastCall!;
    await call.channel();
  });
  afterEach(() => el.stop());

  it('dispatches every server event type of realtime-events.json under its verbatim type and as realtime-event', async () => {
    const reference = await (await fetch('/test/fixtures/realtime-events.json')).json();
    const types: string[] = reference.server_events;
    expect(types.length).to.be.greaterThan(40);
    const verbatim: Array<{ type: string; event: unknown; composed: boolean; bubbles: boolean }> = [];
    const generic: Array<{ type: string }> = [];
    for (const type of types) {
      // Listen where a page would: the document for bubbling events, the element for `error`.
      const target = type === 'error' ? el : document;
      const listener = (e: Event) =>
        verbatim.push({ type, event: (e as CustomEvent).detail, composed: e.composed, bubbles: e.bubbles });
      target.addEventListener(type, listener, { once: true });
    }
    el.addEventListener('realtime-event', (e) => generic.push(e.detail));
    const windowErrors: Event[] = [];
    const onWindowError = (e: Event) => windowErrors.push(e);
    window.addEventListener('error', onWindowError);

    const sent = types.map((type, i) => ({
      type,
      event_id: `event_${i}`,
      ...(type === 'error'
        ? { error: { type: 'invalid_request_error', code: 'x', message: 'scripted' } }
        : { item_id: `item_${i}` }),
    }));
    // session.created already came on open; count from here.
    generic.length = 0;
    for (const event of sent) call.emit(event);
    for (let i = 0; i < 50 && generic.length < sent.length; i++) await sleep(50);
    window.removeEventListener('error', onWindowError);

    expect(generic.map((e) => e.type)).to.deep.equal(types);
    expect(verbatim.map((v) => v.type)).to.have.members(types);
    for (const v of verbatim) {
      expect(v.event, v.type).to.deep.equal(sent.find((s) => s.type === v.type));
      if (v.type === 'error') expect([v.bubbles, v.composed], 'error does not bubble').to.deep.equal([false, false]);
      else expect([v.bubbles, v.composed], v.type).to.deep.equal([true, true]);
    }
    expect(windowErrors, 'the server error event never reaches window').to.have.length(0);
  });

  it('forwards event types it does not know (a newer service) as well', async () => {
    const seen = nextEvent<CustomEvent>(el, 'response.future_thing.delta');
    call.emit({ type: 'response.future_thing.delta', payload: 42 });
    expect((await seen).detail.payload).to.equal(42);
  });

  it('reports a non-JSON message from the service as a non-fatal invalid-event', async () => {
    const error = nextEvent<CustomEvent>(el, 'realtime-error');
    call.dc!.send('not json');
    expect((await error).detail).to.deep.include({ code: 'invalid-event', fatal: false });
    expect(el.state).to.equal('connected');
  });

  it('folds transcript events into realtime-transcript {role, itemId, text, final}', async () => {
    const log = record(el, ['realtime-transcript']);
    call.emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'u1', delta: 'Hello ' });
    call.emit({ type: 'conversation.item.input_audio_transcription.delta', item_id: 'u1', delta: 'there' });
    call.emit({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'u1',
      transcript: 'Hello there.',
    });
    call.emit({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: 'Hi' });
    call.emit({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: ', friend' });
    call.emit({ type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: 'Hi, friend' });
    call.emit({ type: 'response.output_text.delta', item_id: 't1', delta: 'Text' });
    call.emit({ type: 'response.output_text.done', item_id: 't1', text: 'Text reply' });
    call.emit({
      type: 'conversation.item.added',
      item: { id: 'u2', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'typed' }] },
    });
    for (let i = 0; i < 40 && log.length < 9; i++) await sleep(25);
    expect(log.map((e) => [e.detail.role, e.detail.itemId, e.detail.text, e.detail.final])).to.deep.equal([
      ['user', 'u1', 'Hello ', false],
      ['user', 'u1', 'Hello there', false],
      ['user', 'u1', 'Hello there.', true],
      ['assistant', 'a1', 'Hi', false],
      ['assistant', 'a1', 'Hi, friend', false],
      ['assistant', 'a1', 'Hi, friend', true],
      ['assistant', 't1', 'Text', false],
      ['assistant', 't1', 'Text reply', true],
      ['user', 'u2', 'typed', true],
    ]);
  });

  it('sends session.update when instructions or voice change while connected, voice separately', async () => {
    el.instructions = 'Second.';
    const first = await call.nextClientEvent('session.update');
    expect(first.session).to.deep.equal({ type: 'realtime', instructions: 'Second.' });
    await nextEvent(el, 'session.updated');

    el.setAttribute('voice', 'cedar');
    const second = await call.nextClientEvent('session.update', (e) => JSON.stringify(e.session).includes('cedar'));
    expect(second.session).to.deep.equal({ type: 'realtime', audio: { output: { voice: 'cedar' } } });

    expect(el.updateSession({ audio: { output: { speed: 1.2 } } })).to.equal(true);
    const third = await call.nextClientEvent('session.update', (e) => JSON.stringify(e.session).includes('1.2'));
    expect(third.session).to.deep.equal({ type: 'realtime', audio: { output: { speed: 1.2 } } });
  });

  it('sendText sends conversation.item.create then response.create', async () => {
    expect(el.sendText('What time is it?')).to.equal(true);
    const create = await call.nextClientEvent('conversation.item.create');
    expect(create.item).to.deep.equal({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'What time is it?' }],
    });
    await call.nextClientEvent('response.create');
    const order = call.received.map((e) => e.type).filter((t) => t !== 'session.update');
    expect(order.slice(-2)).to.deep.equal(['conversation.item.create', 'response.create']);
  });

  it('interrupt sends response.cancel then output_audio_buffer.clear; "nothing to cancel" is not an error', async () => {
    const errors = record(el, ['realtime-error']);
    expect(el.interrupt()).to.equal(true);
    const cancel = await call.nextClientEvent('response.cancel');
    await call.nextClientEvent('output_audio_buffer.clear');
    call.emit({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'response_cancel_not_active',
        message: 'no active response',
        event_id: cancel.event_id,
      },
    });
    await nextEvent(el, 'realtime-event', 2000, (e) => e.detail.type === 'error');
    expect(errors).to.deep.equal([]);
  });

  it('send() passes any client event through, and events sent while connecting arrive after open', async () => {
    el.stop();
    const again = el.start();
    expect(el.state).to.equal('connecting');
    expect(el.send({ type: 'response.create', response: { instructions: 'queued' } })).to.equal(true);
    expect(await again).to.equal(true);
    const queued = await fake.service.lastCall!.nextClientEvent('response.create');
    expect(queued.response).to.deep.equal({ instructions: 'queued' });
  });

  it('muted disables the microphone track without ending the call, and reflects', async () => {
    const track = el.session.localStream!.getAudioTracks()[0]!;
    expect(track.enabled).to.equal(true);
    el.muted = true;
    await el.updateComplete;
    expect(track.enabled).to.equal(false);
    expect(el.hasAttribute('muted')).to.equal(true);
    expect(el.state).to.equal('connected');
    el.muted = false;
    await el.updateComplete;
    expect(track.enabled).to.equal(true);
  });
});
