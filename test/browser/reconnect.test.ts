import { expect } from '@open-wc/testing';
import {
  injectConnectionState,
  nextEvent,
  part,
  record,
  sleep,
  tokenUrl,
  until,
  untilState,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';

describe('resilience: reconnection, session renewal, hidden pages', () => {
  const fake = useFakeService();

  it('a lost network shows reconnecting, then a new call resumes, saying the conversation goes on', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, transcript: '' });
    await el.start();
    const first = fake.service.lastCall!;
    const log = record(el, ['realtime-state', 'realtime-error']);
    const live = el.shadowRoot!.querySelector('[aria-live][role="status"]')!;
    // A wait that runs out says what happened meanwhile (this test failed so in Firefox under CI's load).
    const said = (error: Error) => {
      const seen = log.map((e) => [e.type, (e.detail as { state?: string; code?: string }).state ?? e.detail.code]);
      throw new Error(`${error.message}; so far: ${JSON.stringify(seen)}, state ${el.state}`);
    };
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting').catch(said);
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('Reconnecting');
    expect(live.textContent).to.contain('Reconnecting');
    expect(part(el, 'button')!.textContent, 'the user can give up').to.contain('Cancel');
    // A new token, microphone and peer connection: 20 s, for a machine busy with other engines' tests.
    await untilState(el, 'connected', 20_000).catch(said);
    await el.updateComplete;
    expect(fake.service.calls).to.have.length(2);
    expect(fake.service.lastCall).to.not.equal(first);
    expect(live.textContent).to.contain('conversation goes on');
    expect(part(el, 'transcript')!.textContent).to.contain('The conversation goes on');
    const states = log.filter((e) => e.type === 'realtime-state').map((e) => [e.detail.state, e.detail.reason]);
    expect(states).to.deep.equal([
      ['reconnecting', 'network'],
      ['connected', undefined],
    ]);
    const errors = log.filter((e) => e.type === 'realtime-error').map((e) => e.detail);
    expect(errors).to.have.length(1);
    expect(errors[0]).to.include({ code: 'connection-lost', fatal: false });
    // The old call's microphone and connection are gone; only the new call's are live.
    expect(fake.probe.liveTracks()).to.have.length(1);
    expect(fake.openPeers()).to.have.length(1);
    el.stop();
    expect(fake.probe.liveTracks()).to.have.length(0);
  });

  it('a call is live only once the call part is in: a network failure the instant it says connected still reconnects', async () => {
    // The built parts, 1.5 s late: the call is negotiated long before its part arrives.
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'parts-url': '/late-parts/1500/' });
    const log = record(el, ['realtime-state', 'realtime-error']);
    let injected = false;
    el.addEventListener('realtime-state', (event) => {
      if (event.detail.state !== 'connected' || injected) return;
      injected = true;
      // The earliest moment a fault can reach a live call (before, it is a failed connect, fatal by design).
      injectConnectionState(el.session.peerConnection!, 'failed');
    });
    const started = el.start();
    await until(() => fake.service.lastCall?.pc?.connectionState === 'connected', 'the call negotiated', 10_000);
    expect(el.state, 'not live before its part is in').to.equal('connecting');
    expect(await started).to.equal(true);
    const arrived = performance
      .getEntriesByType('resource')
      .some((e) => e.name.includes('late-parts/1500/realtime-voice.call.js'));
    expect(arrived, 'the call part came from the late URL').to.equal(true);
    await untilState(el, 'connected', 20_000);
    const seen = log.map((e) => (e.type === 'realtime-state' ? e.detail.state : `${e.detail.code}/${e.detail.fatal}`));
    expect(seen.slice(0, 5)).to.deep.equal([
      'connecting',
      'connected',
      'connection-lost/false',
      'reconnecting',
      'connected',
    ]);
    el.stop();
  });

  it('gives up after reconnect-attempts tries with backoff, ending in the last error', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'reconnect-attempts': '2' });
    await el.start();
    fake.service.behaviour = { status: 503 };
    const started = performance.now();
    injectConnectionState(el.session.peerConnection!, 'failed');
    const failed = await nextEvent<CustomEvent>(el, 'realtime-error', 15_000, (e) => e.detail.fatal);
    const elapsed = performance.now() - started;
    expect(failed.detail.code).to.equal('service-unavailable');
    expect(el.state).to.equal('error');
    // 1 s then 2 s of backoff before the two tries.
    expect(elapsed).to.be.above(2900);
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    // And a later start() works.
    fake.service.behaviour = {};
    expect(await el.start()).to.equal(true);
    el.stop();
  });

  it('stop() while waiting to reconnect cancels it; a hang-up by the service does not reconnect', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting');
    el.stop();
    expect(el.state).to.equal('closed');
    await sleep(1500);
    expect(fake.service.calls).to.have.length(1);
    expect(el.state).to.equal('closed');

    await el.start();
    fake.service.lastCall!.hangUp();
    await untilState(el, 'error');
    expect(el.error!.code).to.equal('data-channel-closed');
    await sleep(1500);
    expect(fake.service.calls).to.have.length(2);
  });

  it('while the browser is offline no call is tried; back online it reconnects', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => false });
    try {
      injectConnectionState(el.session.peerConnection!, 'failed');
      await untilState(el, 'reconnecting');
      await sleep(1800);
      expect(fake.service.calls).to.have.length(1);
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
    }
    window.dispatchEvent(new Event('online'));
    await untilState(el, 'connected');
    expect(fake.service.calls).to.have.length(2);
    el.stop();
  });

  it('renews the call ahead of the session cap, at a quiet moment, with reason renewal', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await until(() => el.session.assistantSpeaking, 'the assistant speaking');
    // Expires in 61 s: renewal is due in about 1 s, but waits for the answer to end.
    call.emit({
      type: 'session.created',
      session: { id: 'sess_x', type: 'realtime', expires_at: Math.floor(Date.now() / 1000) + 61 },
    });
    await sleep(1800);
    expect(el.state, 'no renewal mid-answer').to.equal('connected');
    const renewing = nextEvent<CustomEvent>(el, 'realtime-state', 5000, (e) => e.detail.state === 'reconnecting');
    call.emit({ type: 'output_audio_buffer.stopped', response_id: 'r1' });
    expect((await renewing).detail.reason).to.equal('renewal');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('Renewing');
    await untilState(el, 'connected');
    expect(fake.service.calls).to.have.length(2);
    el.stop();
  });

  it('session_expired from the service (the cap reached anyway) starts a new call', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'session_expired',
        message: 'Your session hit the maximum duration of 60 minutes.',
      },
    });
    await untilState(el, 'reconnecting');
    await untilState(el, 'connected');
    expect(fake.service.calls).to.have.length(2);
    el.stop();
  });

  it('back on a visible page, a connection that dropped meanwhile is replaced at once (no 5 s grace)', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const pc = el.session.peerConnection!;
    Object.defineProperty(pc, 'connectionState', { configurable: true, get: () => 'disconnected' });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    try {
      const started = performance.now();
      document.dispatchEvent(new Event('visibilitychange'));
      await untilState(el, 'reconnecting', 1000);
      expect(performance.now() - started).to.be.below(500);
    } finally {
      delete (document as { visibilityState?: string }).visibilityState;
    }
    await untilState(el, 'connected');
    el.stop();
  });

  it('a connection that stays disconnected past the grace period, with no voice coming, is lost and replaced', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    // The service's voice stops, as on a dead path, where it stops seconds before the browser's consent checks
    // say `disconnected` (a second here: packets on their way, and Firefox's counts, are in by then).
    await Promise.all(fake.service.lastCall!.pc.getSenders().map((sender) => sender.replaceTrack(null)));
    await sleep(1000);
    injectConnectionState(el.session.peerConnection!, 'disconnected');
    await sleep(1000);
    expect(el.state, 'a short blip is waited out').to.equal('connected');
    await untilState(el, 'reconnecting', 6000);
    await untilState(el, 'connected');
    el.stop();
  });

  it('disconnected while the voice still comes (Firefox on a lossy link) is waited out past the grace period', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const states = record(el, ['realtime-state']);
    const pc = el.session.peerConnection!;
    injectConnectionState(pc, 'disconnected');
    // Past two grace periods: each ends with more of the service's voice received, so the call is kept.
    // The voice's packets are counted each second, so a failure says whether the voice did stop.
    const counts: number[] = [];
    for (let second = 0; second < 11; second++) {
      counts.push(await inboundPackets(pc));
      await sleep(1_000);
    }
    expect(
      states.map((s) => s.detail.state),
      `inbound packets each second: ${counts.join(', ')}; visibility ${document.visibilityState}`,
    ).to.deep.equal([]);
    expect(el.state).to.equal('connected');
    injectConnectionState(pc, 'connected');
    // Back, then lost for good: the voice stops, and the grace runs out once.
    await Promise.all(fake.service.lastCall!.pc.getSenders().map((sender) => sender.replaceTrack(null)));
    injectConnectionState(pc, 'disconnected');
    await untilState(el, 'reconnecting', 12_000);
    el.stop();
  });
});

/** RTP packets of the model's voice received so far on this connection. */
async function inboundPackets(pc: RTCPeerConnection): Promise<number> {
  let packets = 0;
  (await pc.getStats()).forEach((report: { type: string; packetsReceived?: number }) => {
    if (report.type === 'inbound-rtp') packets += report.packetsReceived ?? 0;
  });
  return packets;
}
