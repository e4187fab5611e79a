import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { RealtimeSession } from '../../src/index.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import { type FakeBehaviour } from '../fakes/fake-realtime-service.js';
import {
  useFakeService,
  nextEvent,
  record,
  sleep,
  tokenRequests,
  tokenUrl,
  voiceFixture,
  type Attrs,
} from '../support/harness.js';

/**
 * Every failure path ends the same way: one specific `realtime-error` code,
 * the message visible and announced, state `error`, nothing left live, and
 * a later start() that works.
 */
describe('failures: specific errors, visible, announced, nothing leaked, recoverable', () => {
  const fake = useFakeService();

  async function expectFailure(
    attrs: Attrs,
    behaviour: FakeBehaviour,
    code: string,
    messagePattern: RegExp,
    status?: number,
    beforeRecovery?: () => Promise<unknown>,
  ): Promise<RealtimeVoice> {
    fake.service.behaviour = behaviour;
    const el = await voiceFixture(attrs);
    const errors: CustomEvent[] = [];
    el.addEventListener('realtime-error', (e) => errors.push(e));

    const result = await el.start();

    expect(result, 'start() resolves false').to.equal(false);
    expect(errors.map((e) => e.detail.code)).to.deep.equal([code]);
    const detail = errors[0]!.detail;
    expect(detail.message).to.match(messagePattern);
    expect(detail.fatal).to.equal(true);
    if (status !== undefined) expect(detail.status).to.equal(status);
    expect(el.state).to.equal('error');
    expect(el.error?.code).to.equal(code);

    await el.updateComplete;
    const root = el.shadowRoot!;
    expect(root.querySelector('[part="status"]')!.textContent).to.contain(detail.message);
    expect(root.querySelector('[aria-live]')!.textContent).to.contain(detail.message);
    expect(root.querySelector('[part="button"]')!.textContent).to.contain('Try again');

    expect(fake.probe.liveTracks(), 'no live microphone track').to.have.length(0);
    expect(fake.openPeers(), 'no open peer connection').to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);
    expect(root.querySelector('audio'), 'audio element released').to.equal(null);

    // And the element recovers: the next start() with a working setup connects.
    await beforeRecovery?.();
    fake.service.behaviour = {};
    el.removeAttribute('connect-url');
    el.removeAttribute('calls-url');
    el.setAttribute('token-url', tokenUrl().url);
    el.setAttribute('timeout', '15000');
    expect(await el.start(), 'start() works again').to.equal(true);
    el.stop();
    return el;
  }

  describe('token service (real HTTP answers)', () => {
    const cases: Array<[string, Record<string, string | number>, string, RegExp, number?]> = [
      ['401', { status: 401 }, 'unauthorized', /401.*(API key|not allowed).*Fake token service says 401/, 401],
      ['403', { status: 403 }, 'forbidden', /403.*region/, 403],
      ['404', { status: 404 }, 'not-found', /404.*token URL/, 404],
      ['429', { status: 429 }, 'rate-limited', /429.*quota/, 429],
      ['500', { status: 500 }, 'service-unavailable', /500/, 500],
      ['503 with an HTML page', { status: 503, body: 'html' }, 'service-unavailable', /503/, 503],
      ['HTML instead of JSON', { body: 'html' }, 'token-invalid-response', /HTML page instead of JSON/],
      ['malformed JSON', { body: 'malformed' }, 'token-invalid-response', /malformed JSON/],
      ['JSON without a token', { body: 'no-value' }, 'token-invalid-response', /without a token/],
    ];
    for (const [name, params, code, pattern, status] of cases) {
      it(`${name} → ${code}`, async () => {
        await expectFailure({ 'token-url': tokenUrl(params).url }, {}, code, pattern, status);
      });
    }

    it('a token service that never answers → token-timeout', async () => {
      await expectFailure(
        { 'token-url': tokenUrl({ hang: 1 }).url, timeout: '800' },
        {},
        'token-timeout',
        /did not answer within 1 s/,
      );
    });

    it('an unreachable token service → token-unreachable', async () => {
      await expectFailure({ 'token-url': 'http://127.0.0.1:9/token' }, {}, 'token-unreachable', /could not be reached/);
    });
  });

  describe('calls endpoint (SDP exchange)', () => {
    const cases: Array<[string, FakeBehaviour, string, RegExp, number?]> = [
      ['401 (expired token)', { status: 401 }, 'unauthorized', /ephemeral token is invalid or has expired/, 401],
      ['403', { status: 403 }, 'forbidden', /403/, 403],
      ['404 (deployment)', { status: 404 }, 'not-found', /deployment name/, 404],
      ['429 (quota)', { status: 429 }, 'rate-limited', /quota/, 429],
      ['502', { status: 502 }, 'service-unavailable', /502/, 502],
      ['400 (offer refused)', { status: 400 }, 'sdp-rejected', /offer/, 400],
      [
        '201 with HTML',
        { rawBody: { contentType: 'text/html', body: '<html>oops</html>' } },
        'sdp-rejected',
        /text\/html instead of an SDP answer/,
      ],
      ['an unparsable SDP answer', { answer: 'garbage' }, 'sdp-rejected', /SDP answer could not be used/],
    ];
    for (const [name, behaviour, code, pattern, status] of cases) {
      it(`${name} → ${code}`, async () => {
        await expectFailure({ 'token-url': tokenUrl().url }, behaviour, code, pattern, status);
      });
    }

    it('a calls endpoint that never answers → signaling-timeout', async () => {
      await expectFailure(
        { 'token-url': tokenUrl().url, timeout: '800' },
        { hang: true },
        'signaling-timeout',
        /did not answer/,
      );
    });

    it('an answer whose peer is unreachable → ice-failed', async () => {
      await expectFailure(
        { 'token-url': tokenUrl().url, timeout: '1500' },
        { answer: 'dead-peer' },
        'ice-failed',
        /network path/,
      );
    });

    it('the connect proxy answering 500 → service-unavailable, naming the connect service', async () => {
      await expectFailure(
        { 'connect-url': 'https://realtime.fake/connect' },
        { status: 500 },
        'service-unavailable',
        /connect service/,
        500,
      );
    });
  });

  describe('browser and configuration', () => {
    it('a browser without WebRTC: unsupported-browser before any connecting state, nothing asked for, visible and announced', async () => {
      // Real in an engine built without WebRTC (WebKitGTK here); elsewhere RTCPeerConnection is taken away.
      const original = window.RTCPeerConnection;
      (window as { RTCPeerConnection?: unknown }).RTCPeerConnection = undefined;
      const { url, id } = tokenUrl();
      const gum = navigator.mediaDevices.getUserMedia;
      let microphoneAsked = false;
      navigator.mediaDevices.getUserMedia = (...args) => (
        (microphoneAsked = true),
        gum.apply(navigator.mediaDevices, args)
      );
      try {
        const el = await voiceFixture({ 'token-url': url });
        const log = record(el, ['realtime-state', 'realtime-error']);
        expect(await el.start()).to.equal(false);
        expect(log.map((e) => (e.type === 'realtime-state' ? e.detail.state : e.detail.code))).to.deep.equal([
          'unsupported-browser',
          'error',
        ]);
        expect(el.error?.code).to.equal('unsupported-browser');
        await el.updateComplete;
        const root = el.shadowRoot!;
        expect(root.querySelector('[part="status"]')!.textContent).to.contain('does not support WebRTC');
        expect(root.querySelector('[aria-live]')!.textContent).to.contain('does not support WebRTC');
        expect(microphoneAsked, 'no microphone prompt').to.equal(false);
        expect(await tokenRequests(id), 'no token fetched').to.have.length(0);
        expect(root.querySelector('audio')).to.equal(null);
        expect(await el.start(), 'a second start() says the same').to.equal(false);
        expect(log.filter((e) => e.type === 'realtime-error').map((e) => e.detail.code)).to.deep.equal([
          'unsupported-browser',
          'unsupported-browser',
        ]);
        expect(
          log.some((e) => e.detail.state === 'connecting'),
          'never connecting',
        ).to.equal(false);
        expect(el.state).to.equal('error');
      } finally {
        (window as { RTCPeerConnection?: unknown }).RTCPeerConnection = original;
        navigator.mediaDevices.getUserMedia = gum;
      }
    });

    it('no token-url or connect-url → missing-endpoint', async () => {
      await expectFailure({}, {}, 'missing-endpoint', /token-url or connect-url/);
    });

    it('microphone permission denied → microphone-denied', async () => {
      await executeServerCommand('set-microphone-permission', { setting: 'denied' });
      try {
        await expectFailure(
          { 'token-url': tokenUrl().url },
          {},
          'microphone-denied',
          /Allow the microphone/,
          undefined,
          () => executeServerCommand('set-microphone-permission', { setting: 'granted' }),
        );
      } finally {
        await executeServerCommand('set-microphone-permission', { setting: 'granted' });
      }
    });

    it('no matching input device → microphone-not-found (session used without the element)', async () => {
      const session = new RealtimeSession({
        tokenUrl: tokenUrl().url,
        audioConstraints: { deviceId: { exact: 'no-such-microphone' } },
      });
      const error = nextEvent<CustomEvent>(session, 'realtime-error');
      expect(await session.start()).to.equal(false);
      expect((await error).detail.code).to.equal('microphone-not-found');
      expect(session.state).to.equal('error');
      expect(fake.probe.liveTracks()).to.have.length(0);
    });
  });

  describe('during a call', () => {
    it('a service error event is reported but the call goes on (fatal: false)', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      const reported = nextEvent<CustomEvent>(el, 'realtime-error');
      call.emit({
        type: 'error',
        error: { type: 'invalid_request_error', code: 'invalid_value', message: 'Bad speed' },
      });
      const { detail } = await reported;
      expect(detail.code).to.equal('service-error');
      expect(detail.fatal).to.equal(false);
      expect(detail.message).to.contain('Bad speed');
      expect(el.state).to.equal('connected');
      el.stop();
    });

    it('session_expired from the service ends the call with session-expired (reconnection off)', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, 'reconnect-attempts': '0' });
      await el.start();
      const call = fake.service.lastCall!;
      await call.channel();
      const reported = nextEvent<CustomEvent>(el, 'realtime-error');
      call.emit({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'session_expired',
          message: 'Your session hit the maximum duration of 60 minutes.',
        },
      });
      expect((await reported).detail.code).to.equal('session-expired');
      expect(el.state).to.equal('error');
      expect(fake.probe.liveTracks()).to.have.length(0);
    });

    it('a peer connection that dies mid-call → connection-lost or data-channel-closed, never silence', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, 'reconnect-attempts': '0' });
      await el.start();
      const reported = nextEvent<CustomEvent>(el, 'realtime-error', 15_000);
      fake.service.lastCall!.pc.close(); // no clean channel close: the transport just goes away
      const { detail } = await reported;
      expect(['connection-lost', 'data-channel-closed']).to.include(detail.code);
      expect(el.state).to.equal('error');
      expect(fake.probe.liveTracks()).to.have.length(0);
    });

    it('send() with no call or a malformed event reports a non-fatal error and returns false', async () => {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      const errors: string[] = [];
      el.addEventListener('realtime-error', (e) => errors.push(e.detail.code));
      expect(el.send({ type: 'response.create' })).to.equal(false);
      expect(el.send({} as never)).to.equal(false);
      expect(errors).to.deep.equal(['not-connected', 'invalid-event']);
      expect(el.state).to.equal('idle');
      await sleep(0);
    });
  });
});
