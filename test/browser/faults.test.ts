import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { RealtimeErrorCode } from '../../src/index.js';
import { en } from '../../src/i18n/en.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import {
  FAKE_CONNECT_URL,
  FAKE_ORIGIN,
  type FakeBehaviour,
  type FakeCall,
  type FakeRealtimeService,
} from '../fakes/fake-realtime-service.js';
import {
  injectConnectionState,
  useFakeService,
  nextEvent,
  record,
  sleep,
  tokenRequests,
  tokenUrl,
  until,
  untilState,
  voiceFixture,
  type Attrs,
} from '../support/harness.js';

/**
 * The fault catalogue: every way a call can fail, injected through the real
 * element (real getUserMedia, fetch, RTCPeerConnection, data channel), and
 * the same four promises checked for each:
 *
 *   1. exactly one `realtime-error`, with the fault's specific code;
 *   2. its message shown in the status line and announced by the live region;
 *   3. state `error`, no live microphone track, peer connection, data channel,
 *      audio element or timer left;
 *   4. a later start() against a healthy service reaches `connected`.
 *
 * Some rows repeat a case of errors.test.ts on purpose: this file is the
 * complete list (the fault table for SECURITY.md is made from its rows).
 */

type Undo = () => unknown;

interface Fault {
  name: string;
  code: RealtimeErrorCode;
  message: RegExp;
  status?: number;
  /** The element's attributes; default: a healthy token URL. */
  attrs?: () => Attrs;
  /** The in-page realtime service's behaviour for the failing attempt. */
  behaviour?: FakeBehaviour;
  /** Changes the page before start(); what it returns is undone before the recovery. */
  arrange?: (service: FakeRealtimeService) => Undo | void | Promise<Undo | void>;
  /** A fault during a call: runs once the call is connected and the service's channel is open. */
  during?: (call: FakeCall, el: RealtimeVoice) => unknown;
  /** A fault while connecting: `inject` runs as soon as `when` holds. */
  duringConnect?: { when: (el: RealtimeVoice) => boolean; inject: (el: RealtimeVoice) => unknown };
  /** The error must arrive within this many ms of start() (or of the injection, for `during`). */
  maxMs?: number;
  /** ...and not before this many ms (grace periods). */
  minMs?: number;
  /** Extra wait before the leak checks, for things that finish late (a slow microphone). */
  settleMs?: number;
  /** The fault races the end of the setup: start() may resolve either way, the error state must follow. */
  maybeConnects?: boolean;
  /** Recover with the same attributes instead of a fresh healthy token URL. */
  keepAttrs?: boolean;
  /** Checks after the recovery reached `connected`. */
  afterRecovery?: (el: RealtimeVoice) => unknown;
}

/** Replaces getUserMedia (already wrapped by the leak probe, so real streams are still recorded). */
function replaceGetUserMedia(
  impl: (real: (c: MediaStreamConstraints) => Promise<MediaStream>, c: MediaStreamConstraints) => Promise<MediaStream>,
): Undo {
  const devices = navigator.mediaDevices;
  const current = devices.getUserMedia;
  devices.getUserMedia = (constraints) => impl((c) => current.call(devices, c), constraints ?? {});
  return () => {
    devices.getUserMedia = current;
  };
}

/** Lets the in-page service answer, then rewrites its SDP answer on the way to the element. */
function rewriteAnswer(rewrite: (sdp: string) => string): Undo {
  const serviceFetch = window.fetch;
  window.fetch = async (input, init) => {
    const response = await serviceFetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(FAKE_ORIGIN) || !response.ok) return response;
    return new Response(rewrite(await response.text()), { status: response.status, headers: response.headers });
  };
  return () => {
    window.fetch = serviceFetch;
  };
}

const healthy = (): Attrs => ({ 'token-url': tokenUrl().url });
const UNREACHABLE = 'http://127.0.0.1:9';

let expiredTokenId = '';

const faults: Record<string, Fault[]> = {
  'browser and microphone': [
    {
      name: 'microphone permission denied',
      code: 'microphone-denied',
      message: /Microphone access was denied.*Allow the microphone/,
      arrange: async () => {
        await executeServerCommand('set-microphone-permission', { setting: 'denied' });
        return () => executeServerCommand('set-microphone-permission', { setting: 'granted' });
      },
    },
    {
      name: 'no input device at all (NotFoundError)',
      code: 'microphone-not-found',
      message: /No microphone was found/,
      arrange: () =>
        replaceGetUserMedia(() => Promise.reject(new DOMException('Requested device not found', 'NotFoundError'))),
    },
    {
      name: 'the chosen input device is gone (a real OverconstrainedError)',
      code: 'microphone-not-found',
      message: /No microphone was found/,
      arrange: () => replaceGetUserMedia((real) => real({ audio: { deviceId: { exact: 'unplugged-microphone' } } })),
    },
    {
      name: 'the microphone is held by another application (NotReadableError)',
      code: 'microphone-busy',
      message: /another application may be using it/,
      arrange: () =>
        replaceGetUserMedia(() => Promise.reject(new DOMException('Could not start audio source', 'NotReadableError'))),
    },
    {
      name: 'a browser without WebRTC',
      code: 'unsupported-browser',
      message: /does not support WebRTC/,
      arrange: () => {
        const original = window.RTCPeerConnection;
        (window as { RTCPeerConnection?: unknown }).RTCPeerConnection = undefined;
        return () => {
          window.RTCPeerConnection = original;
        };
      },
    },
    {
      name: 'no token-url or connect-url',
      code: 'missing-endpoint',
      message: /No token-url or connect-url/,
      attrs: () => ({}),
    },
  ],

  'token service (real HTTP answers)': [
    {
      name: 'token URL answering 401',
      code: 'unauthorized',
      message: /token service.*401.*Fake token service says 401/,
      status: 401,
      attrs: () => ({ 'token-url': tokenUrl({ status: 401 }).url }),
    },
    {
      name: 'token URL answering 403',
      code: 'forbidden',
      message: /token service.*403/,
      status: 403,
      attrs: () => ({ 'token-url': tokenUrl({ status: 403 }).url }),
    },
    {
      name: 'token URL answering 404',
      code: 'not-found',
      message: /token service.*404.*token URL/,
      status: 404,
      attrs: () => ({ 'token-url': tokenUrl({ status: 404 }).url }),
    },
    {
      name: 'token URL answering 429',
      code: 'rate-limited',
      message: /token service.*429/,
      status: 429,
      attrs: () => ({ 'token-url': tokenUrl({ status: 429 }).url }),
    },
    {
      name: 'token URL answering 500',
      code: 'service-unavailable',
      message: /token service.*500/,
      status: 500,
      attrs: () => ({ 'token-url': tokenUrl({ status: 500 }).url }),
    },
    {
      name: 'token URL answering 502 with an HTML error page',
      code: 'service-unavailable',
      message: /token service.*502/,
      status: 502,
      attrs: () => ({ 'token-url': tokenUrl({ status: 502, body: 'html' }).url }),
    },
    {
      name: 'token URL answering HTML instead of JSON',
      code: 'token-invalid-response',
      message: /HTML page instead of JSON/,
      attrs: () => ({ 'token-url': tokenUrl({ body: 'html' }).url }),
    },
    {
      name: 'token URL answering malformed JSON',
      code: 'token-invalid-response',
      message: /malformed JSON/,
      attrs: () => ({ 'token-url': tokenUrl({ body: 'malformed' }).url }),
    },
    {
      name: 'token URL answering JSON without a token',
      code: 'token-invalid-response',
      message: /without a token/,
      attrs: () => ({ 'token-url': tokenUrl({ body: 'no-value' }).url }),
    },
    {
      name: 'token URL answering an unusable calls_url',
      code: 'token-invalid-response',
      message: /token service .* calls_url/,
      attrs: () => ({ 'token-url': tokenUrl({ calls: 'https://[' }).url }),
    },
    {
      name: 'token URL hanging (times out)',
      code: 'token-timeout',
      message: /token service .* did not answer within 1 s/,
      attrs: () => ({ 'token-url': tokenUrl({ hang: 1 }).url, timeout: '800' }),
      maxMs: 5000,
    },
    {
      name: 'token URL answering 200 and then stalling in the body (times out)',
      code: 'token-timeout',
      message: /token service .* did not answer within 1 s/,
      attrs: () => ({ 'token-url': tokenUrl({ stall: 1 }).url, timeout: '800' }),
      maxMs: 5000,
    },
    {
      name: 'token URL on another origin without CORS',
      code: 'token-unreachable',
      message: /could not be reached.*CORS/,
      attrs: () => ({ 'token-url': `http://insecure.test:${location.port}${tokenUrl().url}` }),
    },
    {
      name: 'token URL unreachable (connection refused)',
      code: 'token-unreachable',
      message: /could not be reached/,
      attrs: () => ({ 'token-url': `${UNREACHABLE}/token` }),
    },
    {
      name: 'token URL failing while the microphone prompt is still open',
      code: 'unauthorized',
      message: /token service.*401/,
      status: 401,
      attrs: () => ({ 'token-url': tokenUrl({ status: 401 }).url }),
      // The user answers the prompt only after 2 s: the token's failure must not wait for that.
      arrange: () => replaceGetUserMedia((real, c) => sleep(2000).then(() => real(c))),
      maxMs: 1500,
      settleMs: 2500,
    },
    {
      name: 'token URL hanging while the microphone prompt is still open',
      code: 'token-timeout',
      message: /did not answer within 1 s/,
      attrs: () => ({ 'token-url': tokenUrl({ hang: 1 }).url, timeout: '800' }),
      arrange: () => replaceGetUserMedia((real, c) => sleep(4000).then(() => real(c))),
      maxMs: 3000,
      settleMs: 4500,
    },
  ],

  'SDP endpoint': [
    {
      name: 'calls endpoint answering 400 (offer refused)',
      code: 'sdp-rejected',
      message: /rejected the connection offer \(400\)/,
      status: 400,
      behaviour: { status: 400 },
    },
    {
      name: 'calls endpoint answering 403',
      code: 'forbidden',
      message: /realtime service.*403/,
      status: 403,
      behaviour: { status: 403 },
    },
    {
      name: 'calls endpoint answering 404',
      code: 'not-found',
      message: /realtime service.*404.*deployment name/,
      status: 404,
      behaviour: { status: 404 },
    },
    {
      name: 'calls endpoint answering 429',
      code: 'rate-limited',
      message: /realtime service.*429/,
      status: 429,
      behaviour: { status: 429 },
    },
    {
      name: 'calls endpoint answering 500',
      code: 'service-unavailable',
      message: /realtime service.*500/,
      status: 500,
      behaviour: { status: 500 },
    },
    {
      name: 'calls endpoint answering 201 with HTML',
      code: 'sdp-rejected',
      message: /text\/html instead of an SDP answer/,
      behaviour: { rawBody: { contentType: 'text/html', body: '<html>oops</html>' } },
    },
    {
      name: 'calls endpoint answering an unusable SDP',
      code: 'sdp-rejected',
      message: /SDP answer could not be used/,
      behaviour: { answer: 'garbage' },
    },
    {
      name: 'calls endpoint hanging (times out)',
      code: 'signaling-timeout',
      message: /did not answer within 1 s/,
      attrs: () => ({ 'token-url': tokenUrl().url, timeout: '800' }),
      behaviour: { hang: true },
      maxMs: 5000,
    },
    {
      name: 'calls endpoint answering 201 and then stalling in the body (times out)',
      code: 'signaling-timeout',
      message: /did not answer within 1 s/,
      attrs: () => ({ 'token-url': tokenUrl().url, timeout: '800' }),
      behaviour: { stall: true },
      maxMs: 5000,
    },
    {
      name: 'calls endpoint unreachable',
      code: 'signaling-unreachable',
      message: /realtime service .* could not be reached/,
      attrs: () => ({ 'token-url': tokenUrl({ calls: `${UNREACHABLE}/v1/realtime/calls` }).url }),
    },
    {
      name: 'calls endpoint on another origin without CORS',
      code: 'signaling-unreachable',
      message: /realtime service .* could not be reached.*CORS/,
      attrs: () => ({
        'token-url': tokenUrl({ calls: `http://insecure.test:${location.port}/fake-token/requests` }).url,
      }),
    },
    {
      name: 'connect proxy answering 401',
      code: 'unauthorized',
      message: /connect service.*401/,
      status: 401,
      attrs: () => ({ 'connect-url': FAKE_CONNECT_URL }),
      behaviour: { status: 401 },
    },
    {
      name: 'connect proxy answering 503',
      code: 'service-unavailable',
      message: /connect service.*503/,
      status: 503,
      attrs: () => ({ 'connect-url': FAKE_CONNECT_URL }),
      behaviour: { status: 503 },
    },
    {
      name: 'connect proxy hanging (times out)',
      code: 'signaling-timeout',
      message: /did not answer within 1 s/,
      attrs: () => ({ 'connect-url': FAKE_CONNECT_URL, timeout: '800' }),
      behaviour: { hang: true },
      maxMs: 5000,
    },
  ],

  'network path': [
    {
      name: 'ICE failure within the deadline (the answer names a peer that is gone)',
      code: 'ice-failed',
      // Firefox reports ICE connected to the gone peer (in the same browser), with no DTLS after it.
      message: /No network path to the realtime service was found within 2 s \(ICE (new|checking|connected, no DTLS)\)/,
      attrs: () => ({ 'token-url': tokenUrl().url, timeout: '1500' }),
      behaviour: { answer: 'dead-peer' },
    },
    {
      // Chromium gives up on unanswered connectivity checks after about 16 s.
      name: 'ICE failure reported by the browser (connectionState failed)',
      code: 'ice-failed',
      message: /No network path to the realtime service could be found \(ICE failed\)/,
      attrs: () => ({ 'token-url': tokenUrl().url, timeout: '40000' }),
      behaviour: { answer: 'dead-peer' },
      maxMs: 35_000,
    },
    {
      name: 'the service refuses the data channel (m=application rejected in the answer)',
      code: 'data-channel-closed',
      message: /closed the event channel before the call was set up/,
      arrange: () => rewriteAnswer((sdp) => sdp.replace(/m=application \d+/, 'm=application 0')),
    },
    {
      name: 'the service closes the data channel as soon as it opens',
      code: 'data-channel-closed',
      // Whether the element saw the channel open first is a race: either message is right.
      message: /closed the event channel before the call was set up|ended the call \(its event channel closed\)/,
      arrange: (service) => {
        void service.nextCall().then(async (call) => (await call.channel()).close());
      },
      maybeConnects: true,
    },
    {
      name: 'microphone unplugged while connecting (track ended)',
      code: 'microphone-not-found',
      message: /microphone stopped/,
      behaviour: { hang: true },
      duringConnect: {
        when: (el) => el.session.peerConnection?.signalingState === 'have-local-offer',
        inject: (el) => el.session.localStream!.getAudioTracks()[0]!.dispatchEvent(new Event('ended')),
      },
    },
  ],

  'during a call': [
    {
      name: 'data channel closed by the server',
      code: 'data-channel-closed',
      message: /ended the call \(its event channel closed\)/,
      during: (call) => call.dc!.close(),
    },
    {
      name: 'the service hangs up (its peer connection closes)',
      code: 'data-channel-closed',
      message: /ended the call \(its event channel closed\)/,
      during: (call) => call.pc.close(),
      settleMs: 1000,
    },
    {
      name: 'peer connection failing mid-call (connectionState failed)',
      code: 'connection-lost',
      message: /connection to the realtime service was lost/,
      during: (_call, el) => injectConnectionState(el.session.peerConnection!, 'failed'),
    },
    {
      name: 'peer connection disconnected and not back within the 5 s grace',
      code: 'connection-lost',
      message: /connection to the realtime service was lost/,
      // The service's voice stops too, as on a dead path (while it still comes, the grace is extended), and a
      // second before the browser says `disconnected` (packets on their way, and Firefox's counts, are in by then).
      during: async (call, el) => {
        await Promise.all(call.pc.getSenders().map((sender) => sender.replaceTrack(null)));
        await sleep(1000);
        injectConnectionState(el.session.peerConnection!, 'disconnected');
      },
      // That second and the 5 s grace.
      minMs: 5900,
      maxMs: 9000,
    },
    {
      name: 'token expired mid-session (service sends session_expired)',
      code: 'session-expired',
      message: /maximum duration.*60 minutes/,
      during: (call) =>
        call.emit({
          type: 'error',
          error: {
            type: 'invalid_request_error',
            code: 'session_expired',
            message: 'Your session hit the maximum duration of 60 minutes.',
          },
        }),
    },
    {
      name: 'token expired mid-session (session_expired, then the service hangs up)',
      code: 'session-expired',
      message: /maximum duration/,
      during: (call) => {
        call.emit({
          type: 'error',
          error: {
            type: 'invalid_request_error',
            code: 'session_expired',
            message: 'Your session hit the maximum duration of 60 minutes.',
          },
        });
        call.hangUp();
      },
      settleMs: 1000,
    },
    {
      name: 'microphone permission revoked mid-call (the browser ends the track; no other microphone may be opened)',
      code: 'microphone-denied',
      message: /Microphone access was denied/,
      arrange: () => () => executeServerCommand('set-microphone-permission', { setting: 'granted' }),
      during: () => executeServerCommand('set-microphone-permission', { setting: 'denied' }),
    },
    {
      name: 'microphone unplugged mid-call, and no other microphone left (track ended)',
      code: 'microphone-not-found',
      message: /microphone stopped \(unplugged or permission revoked\) and no other was found/,
      // No device left for the fallback to the default microphone (levels-and-devices.test.ts covers the fallback working).
      arrange: () => {
        const gum = navigator.mediaDevices.getUserMedia;
        return () => void (navigator.mediaDevices.getUserMedia = gum);
      },
      // A page cannot end its own track with an `ended` event (stop() fires none); the browser does when the device goes.
      during: (_call, el) => {
        navigator.mediaDevices.getUserMedia = () =>
          Promise.reject(new DOMException('Requested device not found', 'NotFoundError'));
        el.session.localStream!.getAudioTracks()[0]!.dispatchEvent(new Event('ended'));
      },
    },
  ],

  'expired token': [
    {
      name: 'token expired before the call was placed (calls endpoint 401)',
      code: 'unauthorized',
      message:
        /401: the ephemeral token is invalid or has expired\. Start again to fetch a fresh one\..*Ephemeral token expired/,
      status: 401,
      attrs: () => {
        const token = tokenUrl();
        expiredTokenId = token.id;
        return { 'token-url': token.url };
      },
      behaviour: { status: 401, errorMessage: 'Ephemeral token expired' },
      keepAttrs: true,
      // Start again fetched a fresh token rather than reusing the expired one.
      afterRecovery: async () => expect(await tokenRequests(expiredTokenId)).to.have.length(2),
    },
  ],
};

describe('faults: each ends in one specific error, visible, announced, nothing live, and start() works again', () => {
  const fake = useFakeService();

  function expectNothingLive(el: RealtimeVoice): void {
    expect(fake.probe.liveTracks(), 'no live microphone track').to.have.length(0);
    expect(fake.openPeers(), 'no open peer connection').to.have.length(0);
    expect(fake.probe.openChannels(), 'no open data channel').to.have.length(0);
    expect(el.shadowRoot!.querySelectorAll('audio'), 'audio element released').to.have.length(0);
    expect(el.session.pendingTimers, 'no timer').to.equal(0);
  }

  async function expectRecovery(el: RealtimeVoice, fault: Fault): Promise<void> {
    fake.service.behaviour = {};
    if (!fault.keepAttrs) {
      for (const name of ['connect-url', 'calls-url', 'timeout']) el.removeAttribute(name);
      el.setAttribute('token-url', tokenUrl().url);
    }
    expect(await el.start(), `start() works again (${JSON.stringify(el.error)})`).to.equal(true);
    expect(el.state).to.equal('connected');
    expect(el.error).to.equal(undefined);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="status"]')!.textContent!.trim()).to.equal(en.listening);
    expect(fake.probe.liveTracks()).to.have.length(1);
    expect(fake.probe.openChannels()).to.have.length(1);
    await fault.afterRecovery?.(el);
    el.stop();
    expect(el.state).to.equal('closed');
    expectNothingLive(el);
  }

  async function run(fault: Fault): Promise<void> {
    fake.service.behaviour = fault.behaviour ?? {};
    const el = await voiceFixture((fault.attrs ?? healthy)());
    const errors = record(el, ['realtime-error']);
    const undo = await fault.arrange?.(fake.service);
    let elapsed: number;
    try {
      if (fault.during) {
        // Reconnection off: this table is about how each fault ends. By default the network and
        // session-cap faults are followed by a new call (reconnect.test.ts).
        el.reconnectAttempts = 0;
        expect(await el.start(), 'the call connects before the fault').to.equal(true);
        const call = fake.service.lastCall!;
        await call.channel();
        const failed = untilState(el, 'error', (fault.maxMs ?? 5000) + 2000);
        const t0 = performance.now();
        await fault.during(call, el);
        await failed;
        elapsed = performance.now() - t0;
      } else {
        const t0 = performance.now();
        const started = el.start();
        if (fault.duringConnect) {
          await until(() => fault.duringConnect!.when(el), `the moment to inject: ${fault.name}`);
          await fault.duringConnect.inject(el);
        }
        if (fault.maybeConnects) await Promise.all([started, untilState(el, 'error')]);
        else expect(await started, 'start() resolves false').to.equal(false);
        elapsed = performance.now() - t0;
      }
      if (fault.maxMs !== undefined) expect(elapsed, 'ms until the error').to.be.below(fault.maxMs);
      if (fault.minMs !== undefined) expect(elapsed, 'ms until the error').to.be.at.least(fault.minMs);
      await sleep(fault.settleMs ?? 100); // late events (a second error, a late stream) would show up here

      // 1. one error, this code
      expect(errors.map((e) => e.detail.code)).to.deep.equal([fault.code]);
      const detail = errors[0]!.detail;
      expect(detail.message).to.match(fault.message);
      expect(detail.fatal).to.equal(true);
      if (fault.status !== undefined) expect(detail.status).to.equal(fault.status);
      // 2. visible and announced
      await el.updateComplete;
      const root = el.shadowRoot!;
      const status = root.querySelector('[part="status"]')!;
      expect(status.textContent!.trim()).to.equal(detail.message);
      expect(status.getAttribute('data-tone')).to.equal('error');
      const live = root.querySelector('[aria-live]')!;
      expect(live.getAttribute('role')).to.equal('status');
      expect(live.textContent!.trim()).to.equal(`${en.error}: ${detail.message}`);
      expect(root.querySelector('[part="button"]')!.textContent).to.contain(en.retry);
      // 3. error state, nothing live
      expect(el.state).to.equal('error');
      expect(el.error?.code).to.equal(fault.code);
      expectNothingLive(el);
    } finally {
      await undo?.();
    }
    // 4. recovery
    await expectRecovery(el, fault);
  }

  for (const [group, list] of Object.entries(faults)) {
    describe(group, () => {
      for (const fault of list) {
        it(`${fault.name} → ${fault.code}`, async function () {
          // Room for the slowest allowed failure and the recovery after it (Firefox declares a dead
          // peer's ICE failed after ~33 s, Chromium sooner).
          this.timeout(Math.max(30_000, (fault.maxMs ?? 0) + 15_000));
          await run(fault);
        });
      }
    });
  }

  describe('not faults: these must not end the call', () => {
    it('a disconnection that recovers within the 5 s grace keeps the call', async function () {
      this.timeout(20_000);
      const el = await voiceFixture(healthy());
      const errors = record(el, ['realtime-error']);
      expect(await el.start()).to.equal(true);
      const pc = el.session.peerConnection!;
      injectConnectionState(pc, 'disconnected');
      await sleep(2000);
      injectConnectionState(pc, 'connected');
      await sleep(4000);
      expect(errors).to.deep.equal([]);
      expect(el.state).to.equal('connected');
      expect(el.session.pendingTimers).to.equal(0);
      el.stop();
      expectNothingLive(el);
    });
  });

  it('insecure context → insecure-context, visible, announced, nothing opened, a second start() fails the same way', async () => {
    const frame = document.createElement('iframe');
    frame.src = `http://insecure.test:${location.port}/test/fixtures/insecure-context.html`;
    const message = nextEvent<MessageEvent>(
      window,
      'message',
      15_000,
      (e) => e.data?.kind === 'insecure-context-result',
    );
    document.body.appendChild(frame);
    try {
      const { data } = await message;
      expect(data.isSecureContext).to.equal(false);
      expect(data.idleText, 'explained before any click').to.contain('Voice needs a secure page: open it over HTTPS');
      expect(data.code).to.equal('insecure-context');
      expect(data.message).to.match(/HTTPS/);
      expect(data.state).to.equal('error');
      expect(data.statusText.trim()).to.equal(data.message);
      expect(data.announced.trim()).to.equal(`${en.error}: ${data.message}`);
      expect(data.audioElements).to.equal(0);
      expect(data.retried).to.equal(false);
      expect(data.retryCode).to.equal('insecure-context');
      expect(data.retryState).to.equal('error');
    } finally {
      frame.remove();
    }
    // No microphone or peer was opened by it (navigator.mediaDevices does not even exist there),
    // and the same element on a secure page works.
    expect(fake.probe.liveTracks()).to.have.length(0);
    const el = await voiceFixture(healthy());
    expect(await el.start()).to.equal(true);
    el.stop();
  });

  describe('element removed mid-connect: a stop, not an error; nothing live; re-attached, it connects', () => {
    const steps: Array<{
      step: string;
      attrs?: () => Attrs;
      behaviour?: FakeBehaviour;
      arrange?: () => Undo;
      removeWhen: (el: RealtimeVoice) => boolean;
    }> = [
      {
        step: 'the microphone prompt is open',
        arrange: () => replaceGetUserMedia((real, c) => sleep(500).then(() => real(c))),
        removeWhen: () => true,
      },
      {
        step: 'the token is being fetched',
        attrs: () => ({ 'token-url': tokenUrl({ delay: 500 }).url }),
        removeWhen: () => true,
      },
      {
        step: 'the offer is being answered',
        behaviour: { hang: true },
        removeWhen: (el) => el.session.peerConnection?.signalingState === 'have-local-offer',
      },
      {
        step: 'the network path is being checked',
        attrs: () => ({ 'token-url': tokenUrl().url, timeout: '10000' }),
        behaviour: { answer: 'dead-peer' },
        removeWhen: (el) => !!el.session.peerConnection?.remoteDescription,
      },
    ];
    for (const { step, attrs, behaviour, arrange, removeWhen } of steps) {
      it(`while ${step}`, async () => {
        fake.service.behaviour = behaviour ?? {};
        const el = await voiceFixture((attrs ?? healthy)());
        const parent = el.parentNode!;
        const log = record(el, ['realtime-error', 'realtime-state']);
        const undo = arrange?.();
        try {
          const started = el.start();
          await until(() => removeWhen(el), 'the step to remove the element at');
          el.remove();
          expect(await started).to.equal(false);
          await sleep(700); // whatever was pending (stream, token, answer) arrives now and must be dropped
          expect(
            log.map((e) => (e.type === 'realtime-state' ? e.detail.state : `error:${e.detail.code}`)),
          ).to.deep.equal(['connecting', 'closing', 'closed']);
          expect(el.state).to.equal('closed');
          expectNothingLive(el);
        } finally {
          undo?.();
        }
        fake.service.behaviour = {};
        el.setAttribute('token-url', tokenUrl().url);
        parent.appendChild(el);
        expect(await el.start()).to.equal(true);
        el.stop();
      });
    }
  });

  describe('start()/stop() hammered 100 times in random order', () => {
    // Short pauses land the calls in the token and microphone steps; long ones also in the SDP exchange, ICE and the open call.
    for (const [seed, last, maxPause] of [
      [7, 'start', 60],
      [42, 'stop', 60],
      [1234, 'start', 400],
      [99, 'stop', 400],
    ] as const) {
      it(`seed ${seed}, pauses up to ${maxPause} ms, last call ${last}(): the state follows the last call, one call at most, no errors, no leaks`, async function () {
        this.timeout(40_000);
        const el = await voiceFixture(healthy());
        const errors = record(el, ['realtime-error']);
        const states = record(el, ['realtime-state']);
        let s = seed;
        const random = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
        const pending: Array<Promise<boolean>> = [];
        for (let i = 0; i < 99; i++) {
          if (random() < 0.5) pending.push(el.start());
          else el.stop();
          if (random() < 0.3) await sleep(Math.floor(random() * maxPause));
        }
        let lastStart: Promise<boolean> | undefined;
        if (last === 'start') pending.push((lastStart = el.start()));
        else el.stop();
        await Promise.all(pending);
        await sleep(300);

        expect(
          errors.map((e) => e.detail.code),
          'stops are not errors',
        ).to.deep.equal([]);
        const reached = states.filter((e) => e.detail.state === 'connected').length;
        if (maxPause > 100) expect(reached, 'some stops hit an open call').to.be.at.least(2);
        if (last === 'start') {
          expect(await lastStart).to.equal(true);
          expect(el.state).to.equal('connected');
          expect(fake.probe.liveTracks(), 'one microphone track').to.have.length(1);
          expect(fake.openPeers(), 'one peer connection').to.have.length(1);
          expect(fake.probe.openChannels(), 'one data channel').to.have.length(1);
          expect(el.shadowRoot!.querySelectorAll('audio')).to.have.length(1);
          el.stop();
        } else {
          expect(el.state).to.equal('closed');
        }
        expectNothingLive(el);
        expect(await el.start()).to.equal(true);
        el.stop();
      });
    }
  });

  it("a fault in one element leaves another element's call alone", async () => {
    const healthyEl = await voiceFixture({ ...healthy(), 'reconnect-attempts': '0' });
    expect(await healthyEl.start()).to.equal(true);
    const failing = await voiceFixture({ 'token-url': tokenUrl({ status: 500 }).url });
    expect(await failing.start()).to.equal(false);
    expect(failing.state).to.equal('error');
    await sleep(200);
    expect(healthyEl.state, 'the other call goes on').to.equal('connected');
    expect(fake.probe.liveTracks()).to.have.length(1);
    // And the other way round: the live call's fault does not touch the failed element.
    fake.service.lastCall!.emit({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'session_expired', message: 'Over.' },
    });
    await untilState(healthyEl, 'error');
    expect(healthyEl.error?.code).to.equal('session-expired');
    expect(failing.error?.code, 'each element reports its own fault').to.equal('service-unavailable');
    expectNothingLive(healthyEl);
    expectNothingLive(failing);
  });

  it('stop() from a realtime-state listener at `connecting` (a page vetoing the call) leaves nothing behind', async () => {
    const el = await voiceFixture(healthy());
    const log = record(el, ['realtime-state', 'realtime-error']);
    el.addEventListener('realtime-state', (e) => e.detail.state === 'connecting' && el.stop(), { once: true });
    expect(await el.start()).to.equal(false);
    await sleep(300);
    expect(log.map((e) => (e.type === 'realtime-state' ? e.detail.state : `error:${e.detail.code}`))).to.deep.equal([
      'connecting',
      'closing',
      'closed',
    ]);
    expect(el.state).to.equal('closed');
    expectNothingLive(el);
    expect(document.querySelectorAll('audio'), 'no audio element anywhere').to.have.length(0);
    expect(fake.probe.tracks, 'the microphone was not even opened').to.have.length(0);
    expect(await el.start()).to.equal(true);
    el.stop();
  });

  it('start() called from a realtime-error listener (a page retrying by itself) connects', async () => {
    fake.service.behaviour = { status: 503 };
    const el = await voiceFixture(healthy());
    const states = record(el, ['realtime-state']);
    let retry: Promise<boolean> | undefined;
    el.addEventListener(
      'realtime-error',
      () => {
        fake.service.behaviour = {};
        retry = el.start();
      },
      { once: true },
    );
    expect(await el.start()).to.equal(false);
    expect(el.state, 'the retry is under way, not a stale error').to.equal('connecting');
    expect(await retry).to.equal(true);
    expect(el.state).to.equal('connected');
    expect(el.error).to.equal(undefined);
    expect(states.map((e) => e.detail.state)).to.deep.equal(['connecting', 'error', 'connecting', 'connected']);
    expect(fake.probe.liveTracks()).to.have.length(1);
    el.stop();
    expectNothingLive(el);
  });
});
