import { expect } from '@open-wc/testing';
import { FAKE_CALLS_URL, FAKE_CONNECT_URL } from '../fakes/fake-realtime-service.js';
import { useFakeService, record, sleep, tokenUrl, voiceFixture } from '../support/harness.js';

describe('connect mode (SDP proxy: the browser never holds a token)', () => {
  const fake = useFakeService();

  it('posts {sdp, voice, instructions} as JSON to connect-url, without any token, and connects', async () => {
    const el = await voiceFixture({ 'connect-url': FAKE_CONNECT_URL, voice: 'cedar', instructions: 'Speak French.' });
    const fetched: string[] = [];
    const spy = window.fetch;
    window.fetch = (input, init) => {
      fetched.push(String(input));
      return spy(input, init);
    };
    try {
      expect(await el.start()).to.equal(true);
    } finally {
      window.fetch = spy;
    }
    expect(fetched).to.deep.equal([FAKE_CONNECT_URL]);
    const call = fake.service.lastCall!;
    expect(call.request.headers['content-type']).to.equal('application/json');
    expect(call.request.headers.authorization).to.equal(undefined);
    const body = JSON.parse(call.request.body);
    expect(body.voice).to.equal('cedar');
    expect(body.instructions).to.equal('Speak French.');
    expect(body.sdp).to.match(/^v=0\r\n/);
    expect(body.sdp).to.match(/m=application /);
    el.stop();
    expect(fake.probe.liveTracks()).to.have.length(0);
  });

  it('connect-url wins over token-url when both are set', async () => {
    const token = tokenUrl();
    const el = await voiceFixture({ 'connect-url': FAKE_CONNECT_URL, 'token-url': token.url });
    expect(await el.start()).to.equal(true);
    expect(fake.service.lastCall!.request.url).to.equal(FAKE_CONNECT_URL);
    const log = await (await fetch(`/fake-token/requests?id=${token.id}`)).json();
    expect(log).to.have.length(0);
    el.stop();
  });
});

describe('webrtcfilter=on: only a subset of events reaches the browser', () => {
  const fake = useFakeService();

  it('is connected on data channel open, without waiting for session.created', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ calls: `${FAKE_CALLS_URL}?webrtcfilter=on` }).url });
    const log = record(el, ['session.created', 'realtime-event', 'realtime-error']);
    expect(await el.start()).to.equal(true);
    expect(el.state).to.equal('connected');
    expect(fake.service.lastCall!.filtered).to.equal(true);
    await sleep(300);
    expect(log, 'the filtered service sends nothing on open').to.deep.equal([]);

    // The events that do pass still flow.
    const call = fake.service.lastCall!;
    await call.channel();
    const transcripts = record(el, ['realtime-transcript']);
    call.emit({
      type: 'response.output_audio_transcript.delta',
      item_id: 'item_1',
      response_id: 'resp_1',
      delta: 'Bonjour',
    });
    call.emit({
      type: 'response.output_audio_transcript.done',
      item_id: 'item_1',
      response_id: 'resp_1',
      transcript: 'Bonjour !',
    });
    await sleep(200);
    expect(transcripts.map((t) => [t.detail.text, t.detail.final])).to.deep.equal([
      ['Bonjour', false],
      ['Bonjour !', true],
    ]);
    // Updates are still sent; no session.updated comes back, and nothing waits for one.
    el.instructions = 'Changed.';
    const update = await call.nextClientEvent('session.update');
    expect((update.session as { instructions: string }).instructions).to.equal('Changed.');
    expect(el.state).to.equal('connected');
    el.stop();
  });
});

describe('events sent during connect wait until the service has spoken on the channel', () => {
  const fake = useFakeService();
  const sent = [
    'session.update',
    'conversation.item.create',
    'response.create',
    'conversation.item.create',
    'response.create',
  ];

  async function connectAndSend(url: string): Promise<{ openedAt: number }> {
    const el = await voiceFixture({ 'token-url': url });
    const started = el.start();
    el.updateSession({ instructions: 'Queued while connecting.' });
    el.sendText('queued');
    expect(await started).to.equal(true);
    const openedAt = performance.now();
    el.sendText('sent as start() resolved');
    return { openedAt };
  }

  it('held until session.created, then sent in order, before anything sent later', async () => {
    // Regression: the queue went out the moment the channel opened, before the service had taken up
    // its end (the emulator's @roamhq/wrtc could then swap the first messages).
    fake.service.behaviour = { sessionCreatedAfterMs: 400 };
    await connectAndSend(tokenUrl().url);
    const call = fake.service.lastCall!;
    await sleep(200);
    expect(
      call.received.map((e) => e.type),
      'nothing before session.created',
    ).to.deep.equal([]);
    await call.nextClientEvent(
      'response.create',
      (e) => e === call.received.filter((r) => r.type === 'response.create')[1],
    );
    expect(call.receivedBeforeCreated).to.equal(0);
    expect(call.received.map((e) => e.type)).to.deep.equal(sent);
    expect(call.received[1]!.item).to.deep.include({ content: [{ type: 'input_text', text: 'queued' }] });
  });

  it('with webrtcfilter=on (no session.created ever) they go about a second after the channel opens, in order', async () => {
    const { openedAt } = await connectAndSend(tokenUrl({ calls: `${FAKE_CALLS_URL}?webrtcfilter=on` }).url);
    const call = fake.service.lastCall!;
    await sleep(300);
    expect(call.received, 'still held').to.deep.equal([]);
    for (let i = 0; i < 40 && call.received.length < sent.length; i++) await sleep(50);
    expect(call.received.map((e) => e.type)).to.deep.equal(sent);
    expect(performance.now() - openedAt).to.be.lessThan(2000);
  });
});
