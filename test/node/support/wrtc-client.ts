/**
 * A WebRTC client in Node for the emulator's own tests: it mints a token,
 * posts an offer, plays PCM into the call as its microphone, records what
 * the emulator says back and collects the data-channel events.
 */
import wrtc from '@roamhq/wrtc';
import { FRAME, RATE, rms } from '../../../emulator/src/audio.ts';

export interface ClientEvent {
  type: string;
  [field: string]: unknown;
}

export class WrtcClient {
  readonly events: ClientEvent[] = [];
  readonly pc: RTCPeerConnection;
  readonly channel: RTCDataChannel;
  callId = '';
  /** RMS of each 10 ms frame received from the emulator. */
  readonly receivedLevels: number[] = [];
  readonly #source = new wrtc.nonstandard.RTCAudioSource();
  #sink?: InstanceType<typeof wrtc.nonstandard.RTCAudioSink>;
  #mic?: ReturnType<typeof setInterval>;
  #waiters: Array<{ test: (e: ClientEvent) => boolean; resolve: (e: ClientEvent) => void }> = [];

  constructor(label = 'oai-events') {
    this.pc = new wrtc.RTCPeerConnection() as unknown as RTCPeerConnection;
    this.pc.addTrack(this.#source.createTrack() as unknown as MediaStreamTrack);
    this.channel = this.pc.createDataChannel(label);
    this.channel.onmessage = (m) => {
      const event = JSON.parse(String(m.data)) as ClientEvent;
      this.events.push(event);
      for (const w of [...this.#waiters])
        if (w.test(event)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(event);
        }
    };
    this.pc.ontrack = (e) => {
      this.#sink = new wrtc.nonstandard.RTCAudioSink(e.track);
      this.#sink.ondata = (d) => this.receivedLevels.push(rms(d.samples, d.channelCount));
    };
  }

  static async mintToken(
    base: string,
    session: Record<string, unknown> = {},
    prefix = '/v1/realtime',
  ): Promise<{ value: string; expires_at: number }> {
    const res = await fetch(`${base}${prefix}/client_secrets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer test-key' },
      body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime', ...session } }),
    });
    if (!res.ok) throw new Error(`client_secrets ${res.status}: ${await res.text()}`);
    return res.json();
  }

  async connect(base: string, token: string, query = '', prefix = '/v1/realtime'): Promise<Response> {
    await this.pc.setLocalDescription(await this.pc.createOffer());
    await this.#gathered();
    const res = await fetch(`${base}${prefix}/calls${query}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
      body: this.pc.localDescription!.sdp,
    });
    if (res.status !== 201) throw new Error(`calls ${res.status}: ${await res.text()}`);
    this.callId = (res.headers.get('location') ?? '').split('/').pop()!;
    await this.pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('data channel did not open')), 10_000);
      if (this.channel.readyState === 'open') return resolve();
      this.channel.onopen = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return res;
  }

  /**
   * Waits for ICE gathering to finish (host candidates only: a few ms), so the
   * offer posted is the final one. Read while libwebrtc was still adding
   * candidates, the description once came out with a `c=` line whose address
   * did not match its type (CI, ten calls at once: "The address type is
   * mismatching"), and the emulator rightly refused the offer.
   */
  #gathered(): Promise<void> {
    if (this.pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 3_000);
      this.pc.onicegatheringstatechange = () => {
        if (this.pc.iceGatheringState !== 'complete') return;
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Plays PCM (48 kHz mono) as the microphone, in real time, then silence forever. */
  speak(samples: Int16Array): Promise<void> {
    return new Promise((resolve) => {
      let offset = 0;
      const started = performance.now();
      let sent = 0;
      clearInterval(this.#mic);
      this.#mic = setInterval(() => {
        const due = Math.floor((performance.now() - started) / 10) - sent;
        for (let i = 0; i < due; i++) {
          const frame = new Int16Array(FRAME);
          if (offset < samples.length) frame.set(samples.subarray(offset, offset + FRAME));
          offset += FRAME;
          sent++;
          this.#source.onData({
            samples: frame,
            sampleRate: RATE,
            bitsPerSample: 16,
            channelCount: 1,
            numberOfFrames: FRAME,
          });
          if (offset >= samples.length && offset - FRAME < samples.length) resolve();
        }
      }, 10);
    });
  }

  send(event: Record<string, unknown> | string): void {
    this.channel.send(typeof event === 'string' ? event : JSON.stringify(event));
  }

  next(
    type: string,
    test: (e: ClientEvent) => boolean = () => true,
    ms = 15_000,
    fromNow = false,
  ): Promise<ClientEvent> {
    const match = (e: ClientEvent) => e.type === type && test(e);
    if (!fromNow) {
      const seen = this.events.find(match);
      if (seen) return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} within ${ms} ms; saw ${this.events.map((e) => e.type).join(', ')}`)),
        ms,
      );
      this.#waiters.push({
        test: match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
  }

  close(): void {
    clearInterval(this.#mic);
    this.#sink?.stop();
    this.pc.close();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
