import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent, ServerErrorEvent } from '../events/server-events.js';
import type { RealtimeSessionConfig } from '../events/session-config.js';
import { Attempt } from './attempt.js';
import { AttemptAborted, RealtimeError, microphoneError, toRealtimeError, type RealtimeErrorDetail } from './errors.js';
import type { FetchLike } from './http.js';
import { ConnectSignaling, TokenSignaling, type Signaling, type SignalingContext } from './signaling.js';
import { isActive, type RealtimeState } from './state.js';
import { TranscriptTracker, type TranscriptDetail } from './transcripts.js';

export interface RealtimeSessionOptions {
  /** Token mode: a service answering `{value, expires_at, calls_url?}`. */
  tokenUrl?: string;
  /** Token mode: where the offer goes when the token service names no `calls_url`. */
  callsUrl?: string;
  /** Connect mode: your server takes the offer and answers with SDP; the page never holds a token. Wins over tokenUrl. */
  connectUrl?: string;
  /** Any other way of exchanging the offer; wins over the URLs. */
  signaling?: Signaling;
  voice?: string;
  instructions?: string;
  /** getUserMedia audio constraints. Default: echo cancellation, noise suppression and auto gain on. */
  audioConstraints?: MediaTrackConstraints;
  /** Deadline for each step (token, offer, ICE + data channel), in ms. Default 15000. */
  timeoutMs?: number;
  /** Where the created `<audio>` element is attached (it must be in the document for iOS). Default: document.body. */
  audioParent?: Node;
  /** Play into this element instead of creating one. */
  audioElement?: HTMLAudioElement;
  fetch?: FetchLike;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  dataChannelLabel?: string;
}

/** Events a RealtimeSession dispatches; the element re-dispatches them on itself. */
export interface RealtimeSessionEventMap {
  'realtime-state': CustomEvent<{ state: RealtimeState; previous: RealtimeState }>;
  'realtime-event': CustomEvent<RealtimeServerEvent>;
  'realtime-error': CustomEvent<RealtimeErrorDetail>;
  'realtime-transcript': CustomEvent<TranscriptDetail>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a `disconnected` peer connection may take to recover before the call counts as lost (as the Agents SDK). */
const DISCONNECT_GRACE_MS = 5_000;
const MAX_QUEUED_EVENTS = 100;

/**
 * The whole browser side of a GA Realtime call over WebRTC, without any UI:
 * token or proxy signaling, microphone, peer connection, data channel,
 * remote audio, event parsing and teardown. `<realtime-voice>` is a thin
 * shell around it; it can also be used from plain JS.
 */
export class RealtimeSession extends EventTarget {
  options: RealtimeSessionOptions;
  #state: RealtimeState = 'idle';
  #attempt?: Attempt;
  #startPromise?: Promise<boolean>;
  #queue: RealtimeClientEvent[] = [];
  #muted = false;
  #transcripts = new TranscriptTracker();
  #ownEventIds = 0;
  /** `event_id`s of our own response.cancel: the service's "nothing to cancel" answer to them is not worth an error. */
  #cancelIds = new Set<string>();
  #callId?: string;
  #lastError?: RealtimeErrorDetail;
  #audioBlocked = false;

  constructor(options: RealtimeSessionOptions = {}) {
    super();
    this.options = options;
  }

  get state(): RealtimeState {
    return this.#state;
  }

  /** `rtc_…` of the current call, when the service told it (Location header). */
  get callId(): string | undefined {
    return this.#callId;
  }

  get lastError(): RealtimeErrorDetail | undefined {
    return this.#lastError;
  }

  /** True while the browser refuses to play the model's voice until the user clicks (call resumeAudio() from a click). */
  get audioBlocked(): boolean {
    return this.#audioBlocked;
  }

  /** The microphone stream of the current call. */
  get localStream(): MediaStream | undefined {
    return this.#attempt?.stream;
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.#attempt?.pc;
  }

  /** Timers the current attempt still holds; 0 after teardown. For tests and leak checks. */
  get pendingTimers(): number {
    return this.#attempt?.timerCount ?? 0;
  }

  get muted(): boolean {
    return this.#muted;
  }

  set muted(value: boolean) {
    this.#muted = value;
    this.#attempt?.stream?.getAudioTracks().forEach((track) => (track.enabled = !value));
  }

  /**
   * Opens a call. Call it from a click handler: the audio element is created
   * and started before the first await, which is what autoplay rules and iOS
   * need. Resolves true once the data channel is open, false when the attempt
   * failed (see `realtime-error`) or was stopped. Calling it again while a
   * call is starting or running returns the same promise: never two calls.
   */
  start(): Promise<boolean> {
    if (this.#startPromise && isActive(this.#state)) return this.#startPromise;
    // Called from a realtime-error listener (a page retrying): the failed attempt's `error` comes before the new `connecting`.
    if (this.#attempt?.disposed && isActive(this.#state)) this.#setState('error');
    this.#disposeAttempt();
    const attempt = new Attempt();
    this.#attempt = attempt;
    this.#queue = [];
    this.#cancelIds.clear();
    this.#transcripts.reset();
    this.#callId = undefined;
    this.#audioBlocked = false;
    this.#setState('connecting');
    this.#prepareAudio(attempt);
    const promise = this.#connect(attempt).then(
      () => true,
      (error: unknown) => {
        this.#fail(attempt, error);
        return false;
      },
    );
    this.#startPromise = promise;
    return promise;
  }

  /** Ends the call and releases microphone, connection, audio and timers. Safe to call at any time, any number of times. */
  stop(): void {
    const active = this.#attempt && !this.#attempt.disposed;
    if (!active) return;
    this.#setState('closing');
    this.#disposeAttempt();
    this.#setState('closed');
  }

  /**
   * Sends a client event. Before the data channel opens, events are queued
   * and sent on open. Returns false (and reports `realtime-error`) when
   * there is no call or the event is not a protocol event.
   */
  send(event: RealtimeClientEvent): boolean {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string' || !event.type) {
      this.#report(new RealtimeError('invalid-event', 'send() needs an event object with a "type", e.g. {type: "response.create"}.', { fatal: false }));
      return false;
    }
    const dc = this.#attempt?.dc;
    if (this.#state === 'connected' && dc?.readyState === 'open') {
      dc.send(JSON.stringify(event));
      return true;
    }
    if (this.#state === 'connecting' && this.#queue.length < MAX_QUEUED_EVENTS) {
      this.#queue.push(event);
      return true;
    }
    this.#report(
      new RealtimeError('not-connected', `Cannot send "${event.type}": there is no open call. Start the conversation first.`, { fatal: false }),
    );
    return false;
  }

  /** Types a user message and asks for an answer. */
  sendText(text: string): boolean {
    const sent = this.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
    });
    return sent && this.send({ type: 'response.create' });
  }

  /** `session.update` with the fields given (partial); `type: "realtime"` is added, as the GA protocol requires. */
  updateSession(session: RealtimeSessionConfig): boolean {
    return this.send({ type: 'session.update', session: { type: 'realtime', ...session } });
  }

  /** Stops the model talking: cancels the response and drops the audio queued for playback. */
  interrupt(): boolean {
    const eventId = `rv_cancel_${++this.#ownEventIds}`;
    this.#cancelIds.add(eventId);
    const cancelled = this.send({ type: 'response.cancel', event_id: eventId });
    return cancelled && this.send({ type: 'output_audio_buffer.clear' });
  }

  /** Retries playback after the browser blocked autoplay; call from a click. */
  async resumeAudio(): Promise<boolean> {
    const audio = this.#attempt?.audio;
    if (!audio) return false;
    try {
      await audio.play();
      this.#audioBlocked = false;
      return true;
    } catch {
      return false;
    }
  }

  override addEventListener<K extends keyof RealtimeSessionEventMap>(
    type: K,
    listener: (event: RealtimeSessionEventMap[K]) => void,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void;
  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: boolean | AddEventListenerOptions): void {
    super.addEventListener(type, listener, options);
  }

  // ---- the connection flow ----

  async #connect(attempt: Attempt): Promise<void> {
    alive(attempt); // not even a microphone prompt when a listener stopped it at `connecting`
    const signaling = this.#signaling();
    checkBrowser();
    const context: SignalingContext = {
      fetch: this.options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      signal: attempt.abort.signal,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
    // The token request and the microphone prompt overlap: both take human or network time.
    // Whichever fails first decides the error; the other is released by dispose().
    const microphone = attempt.guard(this.#openMicrophone(attempt));
    const prepared = attempt.guard(signaling.prepare(context));
    prepared.catch(() => {});
    microphone.catch(() => {});
    await Promise.all([microphone, prepared]);

    const pc = new RTCPeerConnection();
    attempt.pc = pc;
    pc.ontrack = (event) => this.#playRemote(attempt, event.streams[0] ?? new MediaStream([event.track]));
    for (const track of attempt.stream!.getAudioTracks()) pc.addTrack(track, attempt.stream!);
    // Before the offer, or the offer has no m=application section and no event ever arrives.
    const dc = pc.createDataChannel(this.options.dataChannelLabel ?? 'oai-events');
    attempt.dc = dc;
    const opened = this.#whenOpen(attempt, pc, dc);
    opened.promise.catch(() => {});

    const offer = await attempt.guard(pc.createOffer());
    await attempt.guard(pc.setLocalDescription(offer));
    // No wait for ICE gathering: the service (ICE-lite) learns our address from our checks.
    const answer = await attempt.guard(signaling.exchange(pc.localDescription?.sdp ?? offer.sdp ?? '', context));
    this.#callId = answer.callId;
    try {
      await attempt.guard(pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }));
    } catch (error) {
      alive(attempt);
      throw new RealtimeError('sdp-rejected', `The service's SDP answer could not be used: ${(error as Error).message}`, { cause: error });
    }
    opened.deadline(context.timeoutMs);
    await attempt.guard(opened.promise);
    this.#watchConnection(attempt, pc, dc);
    // With webrtcfilter=on no session.created ever arrives: an open data channel is "connected".
    this.#setState('connected');
    const queued = this.#queue.splice(0);
    for (const event of queued) dc.send(JSON.stringify(event));
  }

  #signaling(): Signaling {
    const o = this.options;
    const preferences = { voice: o.voice, instructions: o.instructions };
    if (o.signaling) return o.signaling;
    if (o.connectUrl) return new ConnectSignaling(o.connectUrl, preferences);
    if (o.tokenUrl) return new TokenSignaling(o.tokenUrl, o.callsUrl, preferences);
    throw new RealtimeError(
      'missing-endpoint',
      'No token-url or connect-url is set, so there is nowhere to start a call. Set one of them to your token service or SDP proxy.',
    );
  }

  async #openMicrophone(attempt: Attempt): Promise<void> {
    const getUserMedia = this.options.getUserMedia ?? ((c: MediaStreamConstraints) => navigator.mediaDevices.getUserMedia(c));
    const audio: MediaTrackConstraints = this.options.audioConstraints ?? { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
    let stream: MediaStream;
    try {
      stream = await getUserMedia({ audio, video: false });
    } catch (error) {
      throw microphoneError(error);
    }
    if (attempt.disposed) {
      // stop() came while the permission prompt was open.
      stream.getTracks().forEach((track) => track.stop());
      throw new AttemptAborted();
    }
    attempt.stream = stream;
    stream.getAudioTracks().forEach((track) => {
      track.enabled = !this.#muted;
      // Unplugged or revoked mid-call: the call cannot go on without a microphone.
      track.addEventListener('ended', () => {
        if (!attempt.disposed && this.#attempt === attempt) {
          this.#fail(attempt, new RealtimeError('microphone-not-found', 'The microphone stopped (unplugged or permission revoked). Start again to reconnect.'));
        }
      });
    });
  }

  /** Synchronous, inside the user's gesture: create and start the audio element so later playback is allowed. */
  #prepareAudio(attempt: Attempt): void {
    // A realtime-state listener may have stopped the attempt at `connecting`: an element made now would never be removed.
    if (typeof document === 'undefined' || attempt.disposed) return;
    let audio = this.options.audioElement;
    if (!audio) {
      audio = document.createElement('audio');
      audio.setAttribute('playsinline', '');
      audio.hidden = true;
      (this.options.audioParent ?? document.body).appendChild(audio);
      attempt.ownsAudio = true;
    }
    audio.autoplay = true;
    attempt.audio = audio;
    audio.play().catch(() => {
      /* nothing to play yet; this call only unlocks playback for later */
    });
  }

  #playRemote(attempt: Attempt, stream: MediaStream): void {
    const audio = attempt.audio;
    if (!audio || attempt.disposed) return;
    audio.srcObject = stream;
    audio.play().catch((error: unknown) => {
      if (attempt.disposed || (error as Error)?.name !== 'NotAllowedError') return;
      this.#audioBlocked = true;
      this.#report(
        new RealtimeError('autoplay-blocked', 'The browser blocked the assistant\'s voice until you interact with the page. Click "Enable sound" to hear it.', {
          cause: error,
          fatal: false,
        }),
      );
    });
  }

  /**
   * Settles when the data channel opens (or the attempt fails or stops).
   * `deadline()` arms the ICE timeout; it is called once the answer is in,
   * so a slow token service is not reported as a network problem.
   */
  #whenOpen(attempt: Attempt, pc: RTCPeerConnection, dc: RTCDataChannel): { promise: Promise<void>; deadline: (ms: number) => void } {
    let settle!: (error?: Error) => void;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error?: Error) => {
        attempt.clearTimer(timer);
        pc.onconnectionstatechange = null;
        dc.onopen = dc.onclose = null;
        if (error) reject(error);
        else resolve();
      };
    });
    dc.onopen = () => settle();
    dc.onmessage = (message) => this.#onMessage(attempt, message);
    dc.onclose = () =>
      settle(new RealtimeError('data-channel-closed', 'The realtime service closed the event channel before the call was set up. The token may have expired; start again.'));
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') settle(iceFailed(pc, 'failed'));
    };
    attempt.abort.signal.addEventListener('abort', () => settle(new AttemptAborted()), { once: true });
    const deadline = (ms: number) => {
      timer = attempt.setTimer(() => settle(iceFailed(pc, 'timeout', ms)), ms);
    };
    return { promise, deadline };
  }

  #watchConnection(attempt: Attempt, pc: RTCPeerConnection, dc: RTCDataChannel): void {
    let grace: ReturnType<typeof setTimeout> | undefined;
    dc.onclose = () =>
      this.#fail(attempt, new RealtimeError('data-channel-closed', 'The realtime service ended the call (its event channel closed). Start again to reconnect.'));
    pc.onconnectionstatechange = () => {
      const state = pc.connectionState;
      if (state === 'connected') {
        attempt.clearTimer(grace);
        grace = undefined;
      } else if (state === 'failed' || state === 'closed') {
        this.#fail(attempt, new RealtimeError('connection-lost', 'The connection to the realtime service was lost (network change or the service went away). Start again to reconnect.'));
      } else if (state === 'disconnected' && grace === undefined) {
        grace = attempt.setTimer(
          () => this.#fail(attempt, new RealtimeError('connection-lost', 'The connection to the realtime service dropped and did not recover. Start again to reconnect.')),
          DISCONNECT_GRACE_MS,
        );
      }
    };
  }

  #onMessage(attempt: Attempt, message: MessageEvent): void {
    if (attempt.disposed || this.#attempt !== attempt) return;
    let event: RealtimeServerEvent;
    try {
      event = JSON.parse(String(message.data)) as RealtimeServerEvent;
    } catch (error) {
      this.#report(new RealtimeError('invalid-event', 'The realtime service sent a message that is not JSON; it was ignored.', { cause: error, fatal: false }));
      return;
    }
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
      this.#report(new RealtimeError('invalid-event', 'The realtime service sent an event without a "type"; it was ignored.', { cause: event, fatal: false }));
      return;
    }
    this.dispatchEvent(new CustomEvent('realtime-event', { detail: event }));
    const transcript = this.#transcripts.handle(event);
    if (transcript) this.dispatchEvent(new CustomEvent('realtime-transcript', { detail: transcript }));
    if (event.type === 'error') this.#onServiceError(attempt, event as ServerErrorEvent);
  }

  #onServiceError(attempt: Attempt, event: ServerErrorEvent): void {
    const error = event.error ?? { message: 'Unknown error' };
    if (error.code === 'response_cancel_not_active' && error.event_id && this.#cancelIds.delete(error.event_id)) return;
    if (error.code === 'session_expired') {
      this.#fail(attempt, new RealtimeError('session-expired', `The session reached its maximum duration: ${error.message}`, { cause: error }));
      return;
    }
    this.#report(new RealtimeError('service-error', `The realtime service reported an error: ${error.message}`, { cause: error, fatal: false }));
  }

  // ---- state and errors ----

  #fail(attempt: Attempt, error: unknown): void {
    if (error instanceof AttemptAborted || attempt !== this.#attempt || attempt.disposed) return;
    const realtimeError = toRealtimeError(error, 'connection-lost', `The call failed: ${(error as Error)?.message ?? String(error)}`);
    this.#disposeAttempt();
    this.#report(realtimeError);
    // Unless a realtime-error listener already started the next attempt, which owns the state now.
    if (this.#attempt === attempt) this.#setState('error');
  }

  #report(error: RealtimeError): void {
    const detail = error.toDetail();
    if (detail.fatal) this.#lastError = detail;
    this.dispatchEvent(new CustomEvent('realtime-error', { detail }));
  }

  #disposeAttempt(): void {
    this.#attempt?.dispose();
    this.#startPromise = undefined;
  }

  #setState(state: RealtimeState): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    if (state === 'connecting') this.#lastError = undefined;
    this.dispatchEvent(new CustomEvent('realtime-state', { detail: { state, previous } }));
  }
}

/** Throws when a stop() or failure ended this attempt while it awaited something. */
function alive(attempt: Attempt): void {
  if (attempt.disposed) throw new AttemptAborted();
}

function checkBrowser(): void {
  if (globalThis.isSecureContext === false) {
    throw new RealtimeError(
      'insecure-context',
      `The microphone only works on secure pages: open this page over HTTPS (or on http://localhost). It is served over plain HTTP from ${globalThis.location?.host ?? 'this host'}.`,
    );
  }
  if (typeof RTCPeerConnection === 'undefined' || !globalThis.navigator?.mediaDevices?.getUserMedia) {
    throw new RealtimeError('unsupported-browser', 'This browser does not support WebRTC voice calls (RTCPeerConnection and getUserMedia are needed).');
  }
}

function iceFailed(pc: RTCPeerConnection, reason: 'failed' | 'timeout', timeoutMs = 0): RealtimeError {
  const ice = pc.iceConnectionState;
  if (reason === 'timeout' && (ice === 'connected' || ice === 'completed')) {
    return new RealtimeError('data-channel-closed', `The network connection was made but the event channel did not open within ${Math.round(timeoutMs / 1000)} s.`);
  }
  return new RealtimeError(
    'ice-failed',
    reason === 'failed'
      ? 'No network path to the realtime service could be found (ICE failed): a firewall or VPN may block UDP.'
      : `No network path to the realtime service was found within ${Math.round(timeoutMs / 1000)} s (ICE ${ice}): a firewall or VPN may block UDP.`,
  );
}
