/** Small helpers the browser tests share: fixtures, bounded event waits, leak probes. */
import { fixture, html } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.js';
import './engines.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import type { SettingAttribute } from '../../src/events/session-settings.js';
import { FakeRealtimeService } from '../fakes/fake-realtime-service.js';
import type { Payload } from './payload.js';

// The fake microphone is allowed for the test origin (errors.test.ts denies it for one test).
await executeServerCommand('set-microphone-permission', { setting: 'granted' });

export type Attrs = Partial<
  Record<
    | 'token-url'
    | 'connect-url'
    | 'parts-url'
    | 'calls-url'
    | 'credentials'
    | 'voice'
    | 'instructions'
    | 'timeout'
    | 'lang'
    | 'layout'
    | 'reconnect-attempts'
    | 'transcript'
    | 'text-input'
    | 'meters'
    | 'devices'
    | 'push-to-talk'
    | 'audio-constraints'
    | 'input-device'
    | 'output-device'
    | 'id'
    | 'persist'
    | 'history-turns'
    | 'history-chars'
    | 'history-minutes'
    | 'link-origins'
    | SettingAttribute,
    string
  >
>;

export async function voiceFixture(attrs: Attrs = {}): Promise<RealtimeVoice> {
  const el = await fixture<RealtimeVoice>(html`<realtime-voice></realtime-voice>`);
  for (const [name, value] of Object.entries(attrs)) if (value !== undefined) el.setAttribute(name, value);
  await el.updateComplete;
  return el;
}

let tokenKeys = 0;

/** A URL of the real HTTP fake token service (test/support/fake-token-service.mjs) with its own request log. */
export function tokenUrl(params: Record<string, string | number> = {}): { url: string; id: string } {
  const id = `t${Date.now()}_${++tokenKeys}`;
  const query = new URLSearchParams({
    id,
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
  });
  return { url: `/fake-token?${query}`, id };
}

export async function tokenRequests(
  id: string,
): Promise<Array<{ method: string; contentType: string; body: unknown }>> {
  const response = await fetch(`/fake-token/requests?id=${encodeURIComponent(id)}`);
  return response.json();
}

/** Resolves with the next event of that type; rejects after `ms` instead of hanging the suite. */
export function nextEvent<T extends Event = CustomEvent>(
  target: EventTarget,
  type: string,
  ms = 10_000,
  test: (e: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(type, listener);
      reject(new Error(`no "${type}" event within ${ms} ms`));
    }, ms);
    const listener = (event: Event) => {
      if (!test(event as T)) return;
      clearTimeout(timer);
      target.removeEventListener(type, listener);
      resolve(event as T);
    };
    target.addEventListener(type, listener);
  });
}

export function untilState(el: RealtimeVoice, state: string, ms = 10_000): Promise<CustomEvent> {
  if (el.state === state) return Promise.resolve(new CustomEvent('realtime-state', { detail: { state } }));
  return nextEvent<CustomEvent>(el, 'realtime-state', ms, (e) => e.detail.state === state);
}

/** Collects every event of the given types dispatched on (or bubbling through) a target. */
export function record(target: EventTarget, types: string[]): Array<{ type: string; detail: Payload }> {
  const log: Array<{ type: string; detail: Payload }> = [];
  for (const type of types) target.addEventListener(type, (e) => log.push({ type, detail: (e as CustomEvent).detail }));
  return log;
}

/**
 * Records every microphone track, peer connection and data channel the page
 * creates, so a test can prove teardown left nothing live. The fake service's
 * own peers are excluded by the caller (it knows them); its channels come from
 * `ondatachannel`, not createDataChannel(), so they are never recorded.
 */
export class LeakProbe {
  readonly tracks: MediaStreamTrack[] = [];
  readonly peers: RTCPeerConnection[] = [];
  readonly channels: RTCDataChannel[] = [];
  readonly #gum = navigator.mediaDevices.getUserMedia;
  readonly #pc = window.RTCPeerConnection;

  install(): this {
    const tracks = this.tracks;
    const gum = this.#gum;
    navigator.mediaDevices.getUserMedia = async function (constraints) {
      const stream = await gum.call(navigator.mediaDevices, constraints);
      tracks.push(...stream.getTracks());
      return stream;
    };
    const peers = this.peers;
    const channels = this.channels;
    const Original = this.#pc;
    // An engine without WebRTC (WebKitGTK here) has nothing to record.
    if (typeof Original !== 'function') return this;
    window.RTCPeerConnection = class extends Original {
      constructor(config?: RTCConfiguration) {
        super(config);
        peers.push(this);
      }

      override createDataChannel(label: string, init?: RTCDataChannelInit): RTCDataChannel {
        const channel = super.createDataChannel(label, init);
        channels.push(channel);
        return channel;
      }
    } as typeof RTCPeerConnection;
    return this;
  }

  uninstall(): void {
    navigator.mediaDevices.getUserMedia = this.#gum;
    window.RTCPeerConnection = this.#pc;
  }

  liveTracks(): MediaStreamTrack[] {
    return this.tracks.filter((t) => t.readyState === 'live');
  }

  openPeers(exclude: RTCPeerConnection[] = []): RTCPeerConnection[] {
    return this.peers.filter((pc) => !exclude.includes(pc) && pc.signalingState !== 'closed');
  }

  /** Channels that are open or still opening ('closing' is on its way out and counts as released). */
  openChannels(): RTCDataChannel[] {
    return this.channels.filter((dc) => dc.readyState === 'open' || dc.readyState === 'connecting');
  }
}

/** Counts the AudioContexts the page creates (the fake service's own tone makes one per call, in its answer). */
export function countAudioContexts(): { created: AudioContext[]; restore: () => void } {
  const Original = window.AudioContext;
  const created: AudioContext[] = [];
  window.AudioContext = class extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      created.push(this);
    }
  } as typeof AudioContext;
  return { created, restore: () => (window.AudioContext = Original) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface FakeServiceContext {
  /** The in-page realtime service of the current test. */
  readonly service: FakeRealtimeService;
  /** Records the page's microphone tracks and peer connections. */
  readonly probe: LeakProbe;
  /** The element's peer connections still open (the service's own excluded). */
  openPeers(): RTCPeerConnection[];
}

/** Installs a fresh fake service and leak probe around each test of the calling suite. */
export function useFakeService(): FakeServiceContext {
  let service: FakeRealtimeService | undefined;
  let probe: LeakProbe | undefined;
  beforeEach(() => {
    probe = new LeakProbe().install();
    service = FakeRealtimeService.install();
  });
  afterEach(() => {
    service?.uninstall();
    probe?.uninstall();
  });
  return {
    get service() {
      return service!;
    },
    get probe() {
      return probe!;
    },
    openPeers: () => probe!.openPeers(service!.calls.map((c) => c.pc)),
  };
}

/** One of the element's parts (shadow DOM), by part name. */
export function part<T extends HTMLElement = HTMLElement>(el: Element, name: string): T | null {
  return el.shadowRoot!.querySelector<T>(`[part~="${name}"]`);
}

/** Waits until `check` is true (polled every 10 ms: fault tests catch short steps with it); fails with `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Makes the element's live peer connection report a network state (failed,
 * disconnected), as Chromium does when ICE consent checks stop being answered
 * (a real network fault cannot be produced with both peers in one page): the
 * state is read from the real connection object, so it is overridden there,
 * and the change event dispatched.
 */
export function injectConnectionState(pc: RTCPeerConnection, state: RTCPeerConnectionState): void {
  Object.defineProperty(pc, 'connectionState', { configurable: true, get: () => state });
  // Dispatched, as the browser does: it reaches `onconnectionstatechange` and any listener alike.
  pc.dispatchEvent(new Event('connectionstatechange'));
}
