import { assert, expect } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import { clickPart, hoverPart } from '../support/click.js';
import { FAKE_CALLS_URL, FAKE_CONNECT_URL } from '../fakes/fake-realtime-service.js';
import {
  useFakeService,
  nextEvent,
  part,
  record,
  tokenRequests,
  tokenUrl,
  untilState,
  voiceFixture,
} from '../support/harness.js';

describe('token mode: the whole flow against a real peer', () => {
  const fake = useFakeService();

  it('fetches a token, negotiates, opens the channel and goes idle → connecting → connected', async () => {
    const token = tokenUrl();
    const el = await voiceFixture({ 'token-url': token.url, voice: 'marin', instructions: 'Be brief.' });
    expect(el.state).to.equal('idle');
    const log = record(el, ['realtime-state', 'session.created', 'realtime-event']);

    const connected = await el.start();

    expect(connected, JSON.stringify(el.error)).to.equal(true);
    expect(el.state).to.equal('connected');
    expect(log.filter((e) => e.type === 'realtime-state').map((e) => e.detail.state)).to.deep.equal([
      'connecting',
      'connected',
    ]);

    // The token service got the page's voice and instructions as JSON.
    const [tokenRequest] = await tokenRequests(token.id);
    expect(tokenRequest).to.deep.include({ method: 'POST' });
    expect(tokenRequest!.contentType).to.match(/^application\/json/);
    expect(tokenRequest!.body).to.deep.equal({ voice: 'marin', instructions: 'Be brief.' });

    // The offer went to the calls URL named by the token service, as SDP with the token.
    const call = fake.service.lastCall!;
    expect(call.request.url).to.equal(FAKE_CALLS_URL);
    expect(call.request.headers['content-type']).to.equal('application/sdp');
    expect(call.request.headers.authorization).to.match(/^Bearer ek_fake_\d+$/);
    // Mic track and data channel were both in the offer.
    expect(call.offerSdp).to.match(/m=audio /);
    expect(call.offerSdp).to.match(/m=application /);
    expect(el.session.callId).to.equal(call.id);

    await nextEvent(el, 'session.created', 5000).catch(() => undefined);
    expect(log.some((e) => e.type === 'session.created')).to.equal(true);
  });

  it('plays the remote audio through an audio element it created, and releases it on stop', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const audio = el.shadowRoot!.querySelector('audio')!;
    assert.exists(audio, 'audio element in the shadow root');
    // The remote track arrives with the answer; wait until it actually plays.
    for (
      let i = 0;
      i < 50 && (!(audio.srcObject instanceof MediaStream) || audio.paused || audio.currentTime === 0);
      i++
    ) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(audio.srcObject).to.be.instanceOf(MediaStream);
    expect(audio.paused).to.equal(false);
    expect(audio.currentTime).to.be.greaterThan(0);

    el.stop();
    expect(el.shadowRoot!.querySelector('audio')).to.equal(null);
    expect(audio.srcObject).to.equal(null);
  });

  it('accepts the older {client_secret:{value}} token shape and falls back to calls-url', async () => {
    const el = await voiceFixture({
      'token-url': tokenUrl({ body: 'legacy', calls: '' }).url,
      'calls-url': `${FAKE_CALLS_URL}?from=attribute`,
    });
    expect(await el.start()).to.equal(true);
    expect(fake.service.lastCall!.request.url).to.equal(`${FAKE_CALLS_URL}?from=attribute`);
    expect(fake.service.lastCall!.request.headers.authorization).to.match(/^Bearer ek_fake_/);
  });

  it("a token service written like Microsoft's sample (GET only, {token}): the POST answered 405 is asked again as GET", async () => {
    const token = tokenUrl({ getonly: '1', body: 'token', calls: '' });
    const el = await voiceFixture({ 'token-url': token.url, 'calls-url': FAKE_CALLS_URL, voice: 'marin' });
    expect(await el.start(), JSON.stringify(el.error)).to.equal(true);
    expect((await tokenRequests(token.id)).map((r) => r.method)).to.deep.equal(['POST', 'GET']);
    expect(fake.service.lastCall!.request.headers.authorization).to.match(/^Bearer ek_fake_\d+$/);
  });

  it('a 405 to the GET too: one retry, then request-rejected saying both were tried (no loop)', async () => {
    const token = tokenUrl({ status: '405' });
    const el = await voiceFixture({ 'token-url': token.url });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(false);
    expect((await tokenRequests(token.id)).map((r) => r.method)).to.deep.equal(['POST', 'GET']);
    expect(errors[0]!.detail.code).to.equal('request-rejected');
    expect(errors[0]!.detail.message).to.match(/405 .*POST and to a GET/);
  });

  it('stop() leaves no live track, open peer connection, channel or timer, and start() works again', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const dc = await fake.service.lastCall!.channel();
    expect(fake.probe.liveTracks().length).to.equal(1);
    const states = record(el, ['realtime-state']);

    el.stop();

    expect(states.map((e) => e.detail.state)).to.deep.equal(['closing', 'closed']);
    expect(el.state).to.equal('closed');
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(dc.readyState === 'closing' || dc.readyState === 'closed').to.equal(true);

    el.stop(); // idempotent
    expect(el.state).to.equal('closed');
    expect(await el.start()).to.equal(true);
    expect(fake.service.calls).to.have.length(2);
  });

  it('a remote hang-up ends the call with data-channel-closed and releases everything', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const errored = nextEvent<CustomEvent>(el, 'realtime-error');
    fake.service.lastCall!.hangUp();
    const error = await errored;
    expect(['data-channel-closed', 'connection-lost']).to.include(error.detail.code);
    await untilState(el, 'error');
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);
  });

  it('removing the element from the page ends the call', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    el.remove();
    await new Promise((r) => setTimeout(r, 0));
    expect(el.state).to.equal('closed');
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
  });

  it('moving the element within the page keeps the call', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const other = document.createElement('div');
    document.body.appendChild(other);
    other.appendChild(el); // disconnect + connect in one task
    await new Promise((r) => setTimeout(r, 0));
    expect(el.state).to.equal('connected');
    el.stop();
    other.remove();
  });
});

describe('token mode: the token is fetched ahead when the user is about to click', () => {
  const fake = useFakeService();

  afterEach(() => sendMouse({ type: 'move', position: [0, 0] }));

  it('hovering the start button fetches the token; the click then uses it and asks for none', async () => {
    const token = tokenUrl();
    const el = await voiceFixture({ 'token-url': token.url, voice: 'coral' });
    await hoverPart(el, 'button');
    const fetched = await untilRequests(token.id, 1, 'the token request from the hover');
    expect(fetched[0]!.body).to.deep.equal({ voice: 'coral' });
    expect(el.state, 'a hover starts no call').to.equal('idle');
    expect(fake.service.calls).to.have.length(0);

    await clickPart(el, 'button');
    await untilState(el, 'connected');
    expect(await tokenRequests(token.id), 'no second token for the click').to.have.length(1);
    expect(fake.service.lastCall!.request.headers.authorization).to.match(/^Bearer ek_fake_\d+$/);

    // Used once: the next call fetches its own.
    el.stop();
    expect(await el.start()).to.equal(true);
    expect(await tokenRequests(token.id)).to.have.length(2);
  });

  it('focus (keyboard users) warms up too; a second hover within the window asks for nothing more', async () => {
    const token = tokenUrl();
    const el = await voiceFixture({ 'token-url': token.url });
    part(el, 'button')!.focus();
    await untilRequests(token.id, 1, 'the token request from the focus');
    await hoverPart(el, 'button');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tokenRequests(token.id)).to.have.length(1);
    expect(await el.start()).to.equal(true);
    expect(await tokenRequests(token.id)).to.have.length(1);
  });

  it('settings changed after the warm-up get a new token with the new settings', async () => {
    const token = tokenUrl();
    const el = await voiceFixture({ 'token-url': token.url, voice: 'coral' });
    part(el, 'button')!.focus();
    await untilRequests(token.id, 1, 'the token request from the focus');
    el.voice = 'verse';
    expect(await el.start()).to.equal(true);
    const requests = await tokenRequests(token.id);
    expect(requests.map((r) => r.body)).to.deep.equal([{ voice: 'coral' }, { voice: 'verse' }]);
  });

  it('a failed warm-up is silent: no error, still idle; the click asks again and reports what it gets', async () => {
    const token = tokenUrl({ status: 503 });
    const el = await voiceFixture({ 'token-url': token.url });
    const errors = record(el, ['realtime-error']);
    part(el, 'button')!.focus();
    await untilRequests(token.id, 1, 'the token request from the focus');
    await new Promise((r) => setTimeout(r, 200));
    expect(errors, 'nothing reported before the user asked').to.have.length(0);
    expect(el.state).to.equal('idle');

    expect(await el.start()).to.equal(false);
    expect(await tokenRequests(token.id)).to.have.length(2);
    expect(errors.map((e) => [e.detail.code, e.detail.status])).to.deep.equal([['service-unavailable', 503]]);
    expect(errors[0]!.detail.message).to.match(/^The token service/);
    expect(el.state).to.equal('error');
  });

  it('a token service that hangs costs one deadline, not two: the click takes the fetch still under way', async () => {
    const token = tokenUrl({ hang: 1 });
    const el = await voiceFixture({ 'token-url': token.url, timeout: '1500' });
    part(el, 'button')!.focus();
    await untilRequests(token.id, 1, 'the token request from the focus');
    const errored = nextEvent<CustomEvent>(el, 'realtime-error', 10_000);
    expect(await el.start()).to.equal(false);
    expect((await errored).detail.code).to.equal('token-timeout');
    expect(await tokenRequests(token.id), 'the click asked no second time').to.have.length(1);
    expect(el.state).to.equal('error');
  });

  it('connect mode (the proxy holds the credentials) and a running call fetch nothing ahead', async () => {
    const token = tokenUrl();
    const proxied = await voiceFixture({ 'connect-url': FAKE_CONNECT_URL, 'token-url': token.url });
    await hoverPart(proxied, 'button');
    part(proxied, 'button')!.focus();
    await new Promise((r) => setTimeout(r, 300));
    expect(await tokenRequests(token.id)).to.have.length(0);
    expect(fake.service.calls).to.have.length(0);
    proxied.remove();

    const running = tokenUrl();
    const el = await voiceFixture({ 'token-url': running.url });
    expect(await el.start()).to.equal(true);
    part(el, 'button')!.blur();
    part(el, 'button')!.focus();
    await hoverPart(el, 'button');
    await new Promise((r) => setTimeout(r, 300));
    expect(await tokenRequests(running.id)).to.have.length(1);
  });
});

/** The token service's log for `id`, once it holds `count` requests (polled; the token service is a real HTTP server). */
async function untilRequests(
  id: string,
  count: number,
  what: string,
): Promise<Awaited<ReturnType<typeof tokenRequests>>> {
  const deadline = performance.now() + 5000;
  for (;;) {
    const requests = await tokenRequests(id);
    if (requests.length >= count) return requests;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what} (${requests.length} of ${count})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
