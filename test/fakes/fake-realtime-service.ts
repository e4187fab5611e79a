/**
 * The realtime service's side of a call, inside the test page: a second,
 * real RTCPeerConnection answers the element's offer behind an intercepted
 * fetch of `https://realtime.fake/…`, sends audio back on its track (a
 * tone) and scripted server events over a real data channel.
 *
 * It plays the calls endpoint (token mode, Bearer check) and an SDP proxy
 * (connect mode). Nothing is mocked in the element: its fetch, peer
 * connection, data channel and audio element are the browser's own.
 */

export const FAKE_ORIGIN = 'https://realtime.fake';
export const FAKE_CALLS_URL = `${FAKE_ORIGIN}/v1/realtime/calls`;
export const FAKE_CONNECT_URL = `${FAKE_ORIGIN}/connect`;

type ServerEvent = { type: string; [k: string]: unknown };

export interface FakeBehaviour {
  /** Answer the calls/connect request with this status and a JSON error instead of SDP. */
  status?: number;
  /** The `error.message` of that JSON error (default "Fake realtime service says <status>"). */
  errorMessage?: string;
  /** Answer 201 with this content type and body (e.g. HTML), not SDP. */
  rawBody?: { contentType: string; body: string; status?: number };
  /** Never answer (until the request is aborted). */
  hang?: boolean;
  /** Answer 201 application/sdp, then never finish the body (until the request is aborted). */
  stall?: boolean;
  /** `garbage`: a 201 application/sdp that is not SDP; `dead-peer`: valid SDP whose peer is already gone (ICE fails). */
  answer?: 'ok' | 'garbage' | 'dead-peer';
  /** Send session.created when the channel opens (the real service does, unless webrtcfilter=on). */
  sessionCreated?: boolean;
  /** Send it this long after the channel opens (a service slow to take up the channel), not at once. */
  sessionCreatedAfterMs?: number;
  /** More of the session session.created describes (as a server that applied the page's settings created it). */
  session?: Record<string, unknown>;
  /**
   * The call's audio: `steady` (default) a loud 440 Hz tone, its level a constant 1; `wavering` the same tone
   * quieter and swelling 3 times a second, so its measured level keeps changing, as a voice's does.
   */
  tone?: 'steady' | 'wavering';
}

export interface CallRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export class FakeCall {
  readonly received: ServerEvent[] = [];
  readonly filtered: boolean;
  /** How many client events had arrived when session.created was sent (undefined until then). */
  receivedBeforeCreated?: number;
  dc?: RTCDataChannel;
  readonly #waiters: Array<{ test: (e: ServerEvent) => boolean; resolve: (e: ServerEvent) => void }> = [];
  readonly #channel: Promise<RTCDataChannel>;
  #audio?: AudioContext;

  constructor(
    readonly id: string,
    readonly pc: RTCPeerConnection,
    readonly request: CallRequest,
    readonly offerSdp: string,
    sessionCreated: boolean,
    sessionCreatedAfterMs = 0,
    session: Record<string, unknown> = {},
  ) {
    this.filtered = request.url.includes('webrtcfilter=on');
    this.#channel = new Promise((resolve) => {
      pc.ondatachannel = ({ channel }) => {
        this.dc = channel;
        channel.onmessage = (m) => this.#onClientEvent(JSON.parse(String(m.data)) as ServerEvent);
        const created = () => {
          this.receivedBeforeCreated = this.received.length;
          this.emit({
            type: 'session.created',
            session: { id: `sess_${id}`, type: 'realtime', model: 'gpt-realtime', ...session },
          });
        };
        const opened = () => {
          if (sessionCreated && !this.filtered) {
            if (sessionCreatedAfterMs)
              setTimeout(() => channel.readyState === 'open' && created(), sessionCreatedAfterMs);
            else created();
          }
          resolve(channel);
        };
        if (channel.readyState === 'open') opened();
        else channel.onopen = opened;
      };
    });
  }

  /** A tone on the service's audio track, so the element has remote audio to play. */
  addTone(tone: FakeBehaviour['tone'] = 'steady'): void {
    this.#audio = new AudioContext();
    const oscillator = this.#audio.createOscillator();
    const destination = this.#audio.createMediaStreamDestination();
    oscillator.frequency.value = 440;
    if (tone === 'wavering') {
      // Amplitude 0.02–0.18: the meters' level (RMS × 4) runs between about 0.06 and 0.5, never still.
      const volume = new GainNode(this.#audio, { gain: 0.1 });
      const swell = new OscillatorNode(this.#audio, { frequency: 3 });
      swell.connect(new GainNode(this.#audio, { gain: 0.08 })).connect(volume.gain);
      oscillator.connect(volume).connect(destination);
      swell.start();
    } else oscillator.connect(destination);
    oscillator.start();
    for (const track of destination.stream.getAudioTracks()) this.pc.addTrack(track, destination.stream);
  }

  channel(): Promise<RTCDataChannel> {
    return this.#channel;
  }

  emit(event: ServerEvent): void {
    if (!this.dc || this.dc.readyState !== 'open')
      throw new Error(`fake service: cannot emit ${event.type}, channel not open`);
    this.dc.send(JSON.stringify({ event_id: `event_${Math.random().toString(36).slice(2, 10)}`, ...event }));
  }

  /** Resolves with the first client event (already received or future) of this type. */
  nextClientEvent(type: string, test: (e: ServerEvent) => boolean = () => true): Promise<ServerEvent> {
    const match = (e: ServerEvent) => e.type === type && test(e);
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ test: match, resolve }));
  }

  /** The service ends the call: its data channel and peer connection close. */
  hangUp(): void {
    this.dc?.close();
    this.pc.close();
    if (this.#audio && this.#audio.state !== 'closed') void this.#audio.close();
  }

  close(): void {
    this.hangUp();
  }

  #onClientEvent(event: ServerEvent): void {
    this.received.push(event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.test(event)) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
    if (event.type === 'session.update' && !this.filtered) {
      this.emit({ type: 'session.updated', session: { type: 'realtime', ...(event.session as object) } });
    }
  }
}

export class FakeRealtimeService {
  readonly calls: FakeCall[] = [];
  behaviour: FakeBehaviour = {};
  readonly #originalFetch = window.fetch;
  readonly #callWaiters: Array<(call: FakeCall) => void> = [];
  #nextId = 0;
  readonly #peers: RTCPeerConnection[] = [];

  static install(behaviour: FakeBehaviour = {}): FakeRealtimeService {
    const service = new FakeRealtimeService();
    service.behaviour = behaviour;
    window.fetch = service.#fetch;
    return service;
  }

  uninstall(): void {
    window.fetch = this.#originalFetch;
    for (const call of this.calls) call.close();
    for (const pc of this.#peers) pc.close();
  }

  /** The next call this service answers (or the latest, if one already came). */
  nextCall(): Promise<FakeCall> {
    return new Promise((resolve) => this.#callWaiters.push(resolve));
  }

  get lastCall(): FakeCall | undefined {
    return this.calls[this.calls.length - 1];
  }

  #fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(FAKE_ORIGIN)) return this.#originalFetch.call(window, input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => (headers[key] = value));
    const body = typeof init.body === 'string' ? init.body : '';
    return this.#answer({ url, headers, body }, init.signal ?? undefined);
  };

  async #answer(request: CallRequest, signal?: AbortSignal): Promise<Response> {
    const b = this.behaviour;
    if (b.hang) {
      return new Promise((_, reject) => {
        signal?.addEventListener('abort', () => reject(new DOMException('The operation was aborted.', 'AbortError')));
      });
    }
    if (b.stall) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('v=0\r\n'));
          signal?.addEventListener('abort', () =>
            controller.error(new DOMException('The operation was aborted.', 'AbortError')),
          );
        },
      });
      return new Response(body, { status: 201, headers: { 'Content-Type': 'application/sdp' } });
    }
    if (b.status) return jsonError(b.status, b.errorMessage);
    if (b.rawBody)
      return new Response(b.rawBody.body, {
        status: b.rawBody.status ?? 201,
        headers: { 'Content-Type': b.rawBody.contentType },
      });

    let offer: string;
    if (request.url.startsWith(FAKE_CONNECT_URL)) {
      if (!request.headers['content-type']?.startsWith('application/json')) return jsonError(415);
      offer = (JSON.parse(request.body) as { sdp: string }).sdp;
    } else {
      // The calls endpoint: an ephemeral token and raw SDP, like the service.
      if (!/^Bearer ek_/.test(request.headers.authorization ?? '')) return jsonError(401);
      if (request.headers['content-type'] !== 'application/sdp') return jsonError(400);
      offer = request.body;
    }
    if (!offer.startsWith('v=')) return jsonError(400);

    if (b.answer === 'garbage') {
      return new Response('v=0\r\nthis is not an answer\r\n', {
        status: 201,
        headers: { 'Content-Type': 'application/sdp' },
      });
    }

    const pc = new RTCPeerConnection();
    const id = `rtc_fake${++this.#nextId}`;
    const call = new FakeCall(id, pc, request, offer, b.sessionCreated ?? true, b.sessionCreatedAfterMs, b.session);
    if (b.answer !== 'dead-peer') call.addTone(b.tone);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    const sdp = pc.localDescription!.sdp;
    if (b.answer === 'dead-peer') {
      // The answer names candidates nobody listens on any more: ICE cannot succeed.
      pc.close();
      this.#peers.push(pc);
    } else {
      this.calls.push(call);
      this.#callWaiters.splice(0).forEach((resolve) => resolve(call));
    }
    return new Response(sdp, {
      status: 201,
      headers: { 'Content-Type': 'application/sdp', Location: `/v1/realtime/calls/${id}` },
    });
  }
}

function jsonError(status: number, message = `Fake realtime service says ${status}`): Response {
  return new Response(JSON.stringify({ error: { type: 'invalid_request_error', code: `fake_${status}`, message } }), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}
