// Safari and iOS behaviour no engine here has, injected into the real element (as autoplay.test.ts
// does for iOS's autoplay rule): the screen wake lock during a call, a microphone without echo
// cancellation, and an AudioContext the system "interrupts" (a phone call, Siri, a route change)
// and does not resume.
import { assert, expect } from '@open-wc/testing';
import { part, record, sleep, tokenUrl, untilState, useFakeService, voiceFixture } from '../support/harness.js';

/** A Screen Wake Lock API that records what the element asks of it. */
function fakeWakeLock(refuse = false) {
  const sentinels: Array<{ released: boolean; release(): Promise<void> }> = [];
  const wakeLock = {
    requests: 0,
    sentinels,
    async request(type: string) {
      wakeLock.requests++;
      if (type !== 'screen') throw new TypeError(`type ${type}`);
      if (refuse) throw new DOMException('Wake lock refused (battery saver)', 'NotAllowedError');
      const sentinel = {
        released: false,
        async release() {
          sentinel.released = true;
        },
      };
      sentinels.push(sentinel);
      return sentinel;
    },
  };
  Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: wakeLock });
  return wakeLock;
}

function setVisibility(state: 'visible' | 'hidden'): void {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('Safari and iOS behaviour (injected)', () => {
  useFakeService();
  const realWakeLock = Object.getOwnPropertyDescriptor(Navigator.prototype, 'wakeLock');
  afterEach(() => {
    delete (navigator as { wakeLock?: unknown }).wakeLock;
    delete (document as { visibilityState?: unknown }).visibilityState;
    if (realWakeLock) expect('wakeLock' in navigator).to.equal(true);
  });

  it('a call holds a screen wake lock, takes it again when the page is back, and releases it when the call ends', async () => {
    const wakeLock = fakeWakeLock();
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    expect(wakeLock.requests, 'none before the call').to.equal(0);
    await el.start();
    await sleep(50);
    expect(wakeLock.requests).to.equal(1);
    // Hidden: the browser releases the lock itself. Visible again: the element takes it again.
    wakeLock.sentinels[0]!.released = true;
    setVisibility('hidden');
    setVisibility('visible');
    await sleep(50);
    expect(wakeLock.requests).to.equal(2);
    setVisibility('visible');
    await sleep(50);
    expect(wakeLock.requests, 'not while it is held').to.equal(2);
    el.stop();
    await sleep(50);
    expect(wakeLock.sentinels.map((s) => s.released)).to.deep.equal([true, true]);
    setVisibility('visible');
    await sleep(50);
    expect(wakeLock.requests, 'none after the call').to.equal(2);
  });

  it('a refused wake lock changes nothing: the call connects, no error', async () => {
    const wakeLock = fakeWakeLock(true);
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    await sleep(100);
    expect(wakeLock.requests).to.equal(1);
    expect(errors).to.deep.equal([]);
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it('a microphone without echo cancellation: "use headphones" shown and announced while connected; none where the browser cancels echo', async () => {
    // The engines' fake microphones differ (Chromium's cancels echo, Firefox's does not): the setting is injected both ways.
    const getSettings = MediaStreamTrack.prototype.getSettings;
    let echoCancellation = true;
    MediaStreamTrack.prototype.getSettings = function () {
      return { ...getSettings.call(this), echoCancellation };
    };
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      await el.start();
      await el.updateComplete;
      expect(el.session.echoCancelled).to.equal(true);
      expect(part(el, 'hint')).to.equal(null);
      el.stop();
      echoCancellation = false;
      await el.start();
      await el.updateComplete;
      expect(el.session.echoCancelled).to.equal(false);
      expect(part(el, 'hint')?.textContent).to.contain('use headphones');
      expect(el.shadowRoot!.querySelector('[aria-live]')!.textContent).to.contain('use headphones');
      el.stop();
      await el.updateComplete;
      expect(part(el, 'hint'), 'gone with the call').to.equal(null);
    } finally {
      MediaStreamTrack.prototype.getSettings = getSettings;
    }
  });

  it('the network path interrupted (ICE disconnected): "connection interrupted" shown as a status while the call may come back, gone when it does; no state change', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    await el.updateComplete;
    const states = record(el, ['realtime-state']);
    const pc = el.session.peerConnection!;
    // The state is driven where the getter lives (an own property on Firefox's peer connection, which
    // is implemented in JS, hung the page); only this call's connection reads as disconnected.
    let state: RTCPeerConnectionState = 'disconnected';
    let owner: object = RTCPeerConnection.prototype;
    while (!Object.getOwnPropertyDescriptor(owner, 'connectionState')) owner = Object.getPrototypeOf(owner);
    const real = Object.getOwnPropertyDescriptor(owner, 'connectionState')!;
    Object.defineProperty(owner, 'connectionState', {
      configurable: true,
      get(this: RTCPeerConnection) {
        return this === pc ? state : real.get!.call(this);
      },
    });
    try {
      pc.dispatchEvent(new Event('connectionstatechange'));
      await el.updateComplete;
      expect(part(el, 'hint')?.textContent ?? '').to.contain('network connection is interrupted');
      expect(part(el, 'hint')?.getAttribute('role') ?? '').to.equal('status');
      state = 'connected';
      pc.dispatchEvent(new Event('connectionstatechange'));
      await el.updateComplete;
      // Text, not the element: chai describing a live element in a failure message hung Firefox's page.
      // (Firefox's fake microphone cancels no echo: its "use headphones" hint is what is left there.)
      expect(part(el, 'hint')?.textContent ?? '', 'gone when the path is back').not.to.contain('interrupted');
    } finally {
      Object.defineProperty(owner, 'connectionState', real);
    }
    expect(el.state).to.equal('connected');
    expect(states, 'the call itself never changed state').to.deep.equal([]);
    el.stop();
  });

  it('an AudioContext the system interrupts is resumed when the page is back and at the next touch, so the meters move again', async () => {
    const contexts: AudioContext[] = [];
    const Original = window.AudioContext;
    window.AudioContext = class extends Original {
      constructor(options?: AudioContextOptions) {
        super(options);
        // The meters' shared context (the fake service makes its own, for its tone).
        if (options?.latencyHint === 'playback') contexts.push(this);
      }
    } as typeof AudioContext;
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
      await el.start();
      await untilState(el, 'connected');
      const context = contexts.at(-1)!;
      assert.exists(context, 'the meters made an AudioContext');
      let resumes = 0;
      let state: string = 'interrupted';
      Object.defineProperty(context, 'state', { configurable: true, get: () => state });
      context.resume = async () => {
        resumes++;
      };
      context.dispatchEvent(new Event('statechange'));
      expect(resumes, 'tried at once').to.equal(1);
      document.dispatchEvent(new Event('visibilitychange'));
      expect(resumes, 'page back').to.equal(2);
      document.dispatchEvent(new PointerEvent('pointerdown'));
      expect(resumes, 'the next touch').to.equal(3);
      state = 'running';
      document.dispatchEvent(new PointerEvent('pointerdown'));
      document.dispatchEvent(new KeyboardEvent('keydown'));
      expect(resumes, 'nothing more once it runs').to.equal(3);
      el.stop();
    } finally {
      window.AudioContext = Original;
    }
  });
});
