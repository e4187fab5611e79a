import { keepScreenAwake } from './wake-lock.js';
import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent, ServerErrorEvent } from '../events/server-events.js';
import type { RealtimeSessionConfig } from '../events/session-config.js';
import { readCallStats, type RealtimeCallStats } from './call-stats.js';
import { Attempt } from './attempt.js';
import { AttemptAborted, RealtimeError, microphoneError, toRealtimeError, type RealtimeErrorDetail } from './errors.js';
import type { FetchLike } from './http.js';
import {
  ConnectSignaling,
  TokenSignaling,
  type PageCredentials,
  type Signaling,
  type SignalingContext,
} from './signaling.js';
import { isActive, type RealtimeState } from './state.js';
import { ToolCalls, toolDefinitions, type RealtimeTool } from './tools.js';
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
  /** `Authorization` for the token / connect URL (never the service's): a value, or a function called before each request. */
  authorization?: PageCredentials['authorization'];
  /** fetch credentials mode for the token / connect URL: `include` for a cookie session on another origin. */
  credentials?: RequestCredentials;
  voice?: string;
  instructions?: string;
  /** getUserMedia audio constraints, over the default: echo cancellation, noise suppression and auto gain on. */
  audioConstraints?: MediaTrackConstraints;
  /** Microphone to use (a `deviceId` of enumerateDevices()); default: the system's. */
  inputDeviceId?: string;
  /** Speaker to play to, where the browser supports `setSinkId`; default: the system's. */
  outputDeviceId?: string;
  /** Push-to-talk: no voice activity detection; the microphone is live only between startTalking() and stopTalking(). */
  pushToTalk?: boolean;
  /** Functions the model may call, run in the page. */
  tools?: readonly RealtimeTool[];
  /** New calls to try when a call is lost mid-way (network) or reaches the service's session cap. Default 3; 0 turns reconnection off. */
  reconnectAttempts?: number;
  /** First reconnection delay in ms, doubled for each further try. Default 1000. */
  reconnectDelayMs?: number;
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
  'realtime-state': CustomEvent<{ state: RealtimeState; previous: RealtimeState; reason?: ReconnectReason }>;
  'realtime-event': CustomEvent<RealtimeServerEvent>;
  'realtime-error': CustomEvent<RealtimeErrorDetail>;
  'realtime-transcript': CustomEvent<TranscriptDetail>;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** How long a `disconnected` peer connection may take to recover before the call counts as lost (as the Agents SDK). */
const DISCONNECT_GRACE_MS = 5_000;
const MAX_QUEUED_EVENTS = 100;
/**
 * Queued events wait for the service's first event on the channel (session.created, which the service
 * and the emulator send first), at most this long after the channel opens: with webrtcfilter=on none
 * comes. A peer may take up its end of a fresh channel a moment after the browser sees it open; the
 * emulator's @roamhq/wrtc can then swap the first messages. A second is far above that moment (a few
 * ms on loopback, more on a busy machine) and costs a filtered call's queued greeting only once.
 */
const HEARD_WAIT_MS = 1_000;
/** A call is renewed this long before the service's `expires_at` (its 60-minute cap), at a quiet moment if one comes. */
const RENEW_LEAD_MS = 60_000;
/** In push-to-talk, audio still in flight when the key is released belongs to the turn: commit after it. */
const TALK_TAIL_MS = 200;
/** Losses worth a new call: the network, not a refusal (a closed channel is the service hanging up on purpose). */
const DATA_CHANNEL_REFUSED =
  'The realtime service closed the event channel before the call was set up. The token may have expired; start again.';
const CONNECTION_LOST =
  'The connection to the realtime service was lost (network change, sleep, or the service went away).';
const RECONNECTABLE = new Set([
  'connection-lost',
  'ice-failed',
  'session-expired',
  'token-unreachable',
  'token-timeout',
  'signaling-unreachable',
  'signaling-timeout',
  'service-unavailable',
]);

/** A token fetched ahead by warmUp() is used by a start() within this time, or fetched again. */
const WARM_MS = 20_000;

/** A token fetched ahead by warmUp(): for which settings (key), when, and whether the fetch failed. */
interface WarmToken {
  key: string;
  /** Fetched with this sign-in: a new one (another user) fetches again. */
  authorization: RealtimeSessionOptions['authorization'];
  at: number;
  ready: Promise<Signaling>;
  failed?: boolean;
}

/** Why a call is being replaced: `network` (lost) or `renewal` (session cap ahead). */
export type ReconnectReason = 'network' | 'renewal';

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
  /** Until the service has spoken (or HEARD_WAIT_MS passed): send() queues even on an open channel. */
  #held = true;
  #muted = false;
  #transcripts = new TranscriptTracker();
  #ownEventIds = 0;
  /** `event_id`s of our own response.cancel: the service's "nothing to cancel" answer to them is not worth an error. */
  #cancelIds = new Set<string>();
  #callId?: string;
  #locked: readonly string[] = [];
  #lastError?: RealtimeErrorDetail;
  #audioBlocked = false;
  #remoteStream?: MediaStream;
  #talking = false;
  #assistantSpeaking = false;
  #retries = 0;
  #retryTimer?: ReturnType<typeof setTimeout>;
  /** The current attempt's tool runner (made with it, so a reconnection forgets the old call's pending tools). */
  #toolCalls?: ToolCalls;
  /** A token being fetched ahead (warmUp), with the settings it was asked for, when, and whether it failed. */
  #warm?: WarmToken;

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

  /** Session fields the page's server said it fixed for this call (`X-Realtime-Locked`): the page's value for them is not used. */
  get lockedFields(): readonly string[] {
    return this.#locked;
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

  /**
   * False when the element asked the browser to cancel echo and the microphone has none (some
   * browsers and devices): the model may then hear its own voice through the speakers.
   */
  get echoCancelled(): boolean | undefined {
    const track = this.#attempt?.stream?.getAudioTracks()[0];
    if (!track || this.options.audioConstraints?.echoCancellation === false) return undefined;
    const settings = track.getSettings() as MediaTrackSettings;
    return typeof settings.echoCancellation === 'boolean' ? settings.echoCancellation : undefined;
  }

  /** The model's voice, as received. */
  get remoteStream(): MediaStream | undefined {
    return this.#attempt?.disposed ? undefined : this.#remoteStream;
  }

  /** True between the model's audio starting and stopping (or being cut off). */
  get assistantSpeaking(): boolean {
    return this.#assistantSpeaking;
  }

  /** Push-to-talk: true while the user holds the talk key. */
  get talking(): boolean {
    return this.#talking;
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.#attempt?.pc;
  }

  /** The running call's quality (round trip, jitter, losses, concealed audio), the same in every engine; undefined without a call. */
  async callStats(): Promise<RealtimeCallStats | undefined> {
    const pc = this.#attempt?.pc;
    return pc && pc.connectionState !== 'closed' ? readCallStats(pc) : undefined;
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
    this.#applyMicrophone();
  }

  /** The microphone sends only when not muted and, in push-to-talk, only while talking. */
  #applyMicrophone(): void {
    const on = !this.#muted && (!this.options.pushToTalk || this.#talking);
    this.#attempt?.stream?.getAudioTracks().forEach((track) => (track.enabled = on));
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
    // Called from a realtime-error listener (a page retrying): the failed attempt's `error` comes before the new
    // `connecting`. (Not while a reconnection waits: start() then just tries at once.)
    if (this.#attempt?.disposed && isActive(this.#state) && this.#retryTimer === undefined) this.#setState('error');
    this.#retries = 0;
    return this.#open('connecting');
  }

  /** Ends the call and releases microphone, connection, audio and timers. Safe to call at any time, any number of times. */
  stop(): void {
    const active = (this.#attempt && !this.#attempt.disposed) || this.#retryTimer !== undefined;
    if (!active) return;
    this.#setState('closing');
    this.#disposeAttempt();
    this.#setState('closed');
  }

  /**
   * Token mode, before start(): the user is about to click (the pointer is over the start button, or it
   * has focus). Fetching the token now takes the token service's time, often hundreds of ms in the
   * cloud, off the click. The token is used by one start() within 20 s with the same settings; at
   * most one fetch ahead per 20 s. If it failed before the click, start() fetches again (and reports
   * what it gets); if it is still under way, start() takes its outcome, so a hanging token service
   * costs one deadline, not two. Nothing else happens ahead (no microphone).
   */
  warmUp(): void {
    const o = this.options;
    if (!o.tokenUrl || o.connectUrl || o.signaling || isActive(this.#state) || this.#fits(this.#warm)) return;
    const signaling = this.#signaling();
    const warm: WarmToken = {
      key: this.#warmKey(),
      authorization: o.authorization,
      at: Date.now(),
      ready: signaling.prepare(this.#context(new AbortController().signal)).then(() => signaling),
    };
    // Failed before the click: the click asks again. Still running at the click: its answer (or error) is the click's.
    warm.ready.catch(() => (warm.failed = true));
    this.#warm = warm;
  }

  #warmKey(): string {
    const o = this.options;
    return JSON.stringify([o.tokenUrl, o.callsUrl, o.voice, o.instructions, o.credentials]);
  }

  /** A token fetched ahead for the settings as they are now, within the last 20 s (failed or not). */
  #fits(warm: WarmToken | undefined): warm is WarmToken {
    return (
      warm?.key === this.#warmKey() &&
      warm.authorization === this.options.authorization &&
      Date.now() - warm.at < WARM_MS
    );
  }

  /** The warmed-up token's signaling while it fits and has not failed; taken once. */
  #takeWarm(): Promise<Signaling> | undefined {
    const warm = this.#warm;
    this.#warm = undefined;
    return this.#fits(warm) && !warm.failed ? warm.ready : undefined;
  }

  #context(signal: AbortSignal): SignalingContext {
    return {
      fetch: this.options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      signal,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
  }

  /** A new attempt, from the click of start() or from a reconnection. */
  #open(state: 'connecting' | 'reconnecting', reason?: ReconnectReason): Promise<boolean> {
    this.#disposeAttempt();
    // A browser that cannot make the call (no WebRTC, a plain-HTTP page) is told so at once: the
    // error comes before any `connecting`, and nothing (token, microphone, audio) is asked for.
    const problem = browserProblem();
    if (problem) {
      const before = this.#attempt;
      this.#report(problem);
      // Unless a realtime-error listener already started again (it owns the state now).
      if (this.#attempt === before) this.#setState('error');
      return (this.#startPromise = Promise.resolve(false));
    }
    const attempt = new Attempt();
    this.#attempt = attempt;
    this.#queue = [];
    this.#held = true;
    this.#cancelIds.clear();
    this.#transcripts.reset();
    this.#toolCalls = new ToolCalls(
      (event) => this.#attempt === attempt && this.send(event),
      (error) => this.#report(error),
    );
    this.#callId = undefined;
    this.#audioBlocked = false;
    this.#setState(state, reason);
    this.#prepareAudio(attempt);
    this.#configureSession();
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

  /** Queued before the channel opens, so the model never runs a moment without the page's tools or turn mode. */
  #configureSession(): void {
    const { tools, pushToTalk } = this.options;
    const session: RealtimeSessionConfig = {};
    if (tools?.length) Object.assign(session, { tools: toolDefinitions(tools), tool_choice: 'auto' });
    if (pushToTalk) session.audio = { input: { turn_detection: null } };
    if (Object.keys(session).length) this.updateSession(session);
  }

  /**
   * Push-to-talk, on press: the microphone opens, whatever was buffered is
   * dropped and an answer still playing is cut off (the user takes the turn).
   */
  startTalking(): boolean {
    if (!this.options.pushToTalk || this.#state !== 'connected' || this.#talking) return false;
    this.#attempt?.clearTimer(this.#talkTail);
    this.#talking = true;
    if (this.#assistantSpeaking) this.interrupt();
    this.send({ type: 'input_audio_buffer.clear' });
    this.#applyMicrophone();
    return true;
  }

  /** Push-to-talk, on release: the turn is committed and answered. */
  stopTalking(): boolean {
    const attempt = this.#attempt;
    if (!this.#talking || !attempt) return false;
    this.#talking = false;
    this.#talkTail = attempt.setTimer(() => {
      this.#applyMicrophone();
      this.send({ type: 'input_audio_buffer.commit' });
      this.send({ type: 'response.create' });
    }, TALK_TAIL_MS);
    return true;
  }
  #talkTail?: ReturnType<typeof setTimeout>;

  /**
   * Switches the microphone during a call without reconnecting
   * (`RTCRtpSender.replaceTrack`); before a call it only chooses the device.
   * Resolves false (and reports a non-fatal error) when the device cannot be
   * opened; the call then goes on with the old one.
   */
  async switchMicrophone(deviceId?: string): Promise<boolean> {
    this.options = { ...this.options, inputDeviceId: deviceId };
    const attempt = this.#attempt;
    try {
      return attempt ? await this.#replaceMicrophone(attempt) : true;
    } catch (error) {
      if (!(error instanceof AttemptAborted)) this.#report(toNonFatal(microphoneError(error)));
      return false;
    }
  }

  /** Opens the chosen microphone and puts it on the call's sender; throws what getUserMedia threw. */
  async #replaceMicrophone(attempt: Attempt): Promise<boolean> {
    const sender = attempt.pc?.getSenders().find((s) => s.track?.kind === 'audio');
    if (!sender || attempt.disposed) return true;
    const stream = await this.#getMicrophone();
    if (attempt.disposed) {
      stream.getTracks().forEach((track) => track.stop());
      return false;
    }
    const old = attempt.stream;
    attempt.stream = stream;
    this.#watchMicrophone(attempt, stream);
    this.#applyMicrophone();
    await attempt.guard(sender.replaceTrack(stream.getAudioTracks()[0] ?? null));
    old?.getTracks().forEach((track) => track.stop());
    return true;
  }

  /** Plays the model's voice on this output device, where `setSinkId` exists. */
  async setOutputDevice(deviceId: string): Promise<boolean> {
    this.options = { ...this.options, outputDeviceId: deviceId };
    const audio = this.#attempt?.audio;
    return audio ? this.#applySink(audio) : true;
  }

  async #applySink(audio: HTMLAudioElement): Promise<boolean> {
    const id = this.options.outputDeviceId;
    if (id === undefined) return true;
    const sinkable = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    try {
      if (!sinkable.setSinkId) {
        // Safari and WebKitGTK: only the default speaker, which is what is asked for.
        if (id === '' || id === 'default') return true;
        throw new Error('this browser cannot choose the output device (no setSinkId)');
      }
      // '' is the spec's default device; Chromium also calls it 'default', Firefox knows no such id.
      await sinkable.setSinkId(id === 'default' ? '' : id);
      return true;
    } catch (error) {
      this.#report(
        new RealtimeError('output-device-failed', `The speaker could not be changed: ${(error as Error).message}`, {
          cause: error,
          fatal: false,
        }),
      );
      return false;
    }
  }

  /**
   * Sends a client event. Before the data channel opens, events are queued
   * and sent on open. Returns false (and reports `realtime-error`) when
   * there is no call or the event is not a protocol event.
   */
  send(event: RealtimeClientEvent): boolean {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string' || !event.type) {
      this.#report(
        new RealtimeError(
          'invalid-event',
          'send() needs an event object with a "type", e.g. {type: "response.create"}.',
          { fatal: false },
        ),
      );
      return false;
    }
    const dc = this.#attempt?.dc;
    const connected = this.#state === 'connected' && dc?.readyState === 'open';
    if (connected && !this.#held) {
      dc.send(JSON.stringify(event));
      return true;
    }
    // Connected, yet held: no cap (the hold lasts a second at most); while connecting, a bounded queue.
    if (
      connected ||
      ((this.#state === 'connecting' || this.#state === 'reconnecting') && this.#queue.length < MAX_QUEUED_EVENTS)
    ) {
      this.#queue.push(event);
      return true;
    }
    this.#report(
      new RealtimeError(
        'not-connected',
        `Cannot send "${event.type}": there is no open call. Start the conversation first.`,
        { fatal: false },
      ),
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
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  override addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void {
    super.addEventListener(type, listener, options);
  }

  // ---- the connection flow ----

  async #connect(attempt: Attempt): Promise<void> {
    alive(attempt); // not even a microphone prompt when a listener stopped it at `connecting`
    const signaling = this.#signaling();
    const context = this.#context(attempt.abort.signal);
    // The token request and the microphone prompt overlap: both take human or network time.
    // Whichever fails first decides the error; the other is released by dispose().
    const microphone = attempt.guard(this.#openMicrophone(attempt));
    const prepared = attempt.guard(
      (async () => (await this.#takeWarm()) ?? (await signaling.prepare(context), signaling))(),
    );
    prepared.catch(() => {});
    microphone.catch(() => {});
    const [, ready] = await Promise.all([microphone, prepared]);

    const pc = new RTCPeerConnection();
    attempt.pc = pc;
    pc.addEventListener(
      'track',
      (event) => this.#playRemote(attempt, event.streams[0] ?? new MediaStream([event.track])),
      { signal: attempt.abort.signal },
    );
    for (const track of attempt.stream!.getAudioTracks()) pc.addTrack(track, attempt.stream!);
    // Before the offer, or the offer has no m=application section and no event ever arrives.
    const dc = pc.createDataChannel(this.options.dataChannelLabel ?? 'oai-events');
    attempt.dc = dc;
    const opened = this.#whenOpen(attempt, pc, dc);
    opened.promise.catch(() => {});

    const offer = await attempt.guard(pc.createOffer());
    await attempt.guard(pc.setLocalDescription(offer));
    // No wait for ICE gathering: the service (ICE-lite) learns our address from our checks.
    const answer = await attempt.guard(ready.exchange(pc.localDescription?.sdp ?? offer.sdp ?? '', context));
    this.#callId = answer.callId;
    this.#locked = answer.locked ?? [];
    try {
      await attempt.guard(pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }));
    } catch (error) {
      alive(attempt);
      throw new RealtimeError(
        'sdp-rejected',
        `The service's SDP answer could not be used: ${String((error as Error).message).trim()}`,
        { cause: error },
      );
    }
    // An answer that rejects the data channel (port 0): Chromium closes the channel, Firefox leaves
    // it "connecting" until the deadline. Say so now, the same way in every engine.
    if (/^m=application 0 /m.test(answer.sdp)) throw new RealtimeError('data-channel-closed', DATA_CHANNEL_REFUSED);
    opened.deadline(context.timeoutMs);
    await attempt.guard(opened.promise);
    this.#watchConnection(attempt, pc, dc);
    // With webrtcfilter=on no session.created ever arrives: an open data channel is "connected".
    this.#setState('connected');
    keepScreenAwake(attempt.abort.signal);
    attempt.setTimer(() => this.#release(attempt), HEARD_WAIT_MS);
  }

  /** Sends what was queued, once the service has spoken on the channel (or the wait is over); later sends go straight out. */
  #release(attempt: Attempt): void {
    if (!this.#held || attempt !== this.#attempt || attempt.disposed) return;
    this.#held = false;
    for (const event of this.#queue.splice(0)) attempt.dc!.send(JSON.stringify(event));
  }

  #signaling(): Signaling {
    const o = this.options;
    const preferences = { voice: o.voice, instructions: o.instructions };
    if (o.signaling) return o.signaling;
    const page = { authorization: o.authorization, credentials: o.credentials };
    if (o.connectUrl) return new ConnectSignaling(o.connectUrl, preferences, page);
    if (o.tokenUrl) return new TokenSignaling(o.tokenUrl, o.callsUrl, preferences, page);
    throw new RealtimeError(
      'missing-endpoint',
      'No token-url or connect-url is set, so there is nowhere to start a call. Set one of them to your token service or SDP proxy.',
    );
  }

  #getMicrophone(): Promise<MediaStream> {
    const { getUserMedia, audioConstraints, inputDeviceId } = this.options;
    const audio: MediaTrackConstraints = {
      echoCancellation: true,
      noiseSuppression: true,
      autoGainControl: true,
      ...audioConstraints,
    };
    if (inputDeviceId) audio.deviceId = { exact: inputDeviceId };
    const constraints = { audio, video: false };
    return getUserMedia ? getUserMedia(constraints) : navigator.mediaDevices.getUserMedia(constraints);
  }

  async #openMicrophone(attempt: Attempt): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await this.#getMicrophone();
    } catch (error) {
      throw microphoneError(error);
    }
    if (attempt.disposed) {
      // stop() came while the permission prompt was open.
      stream.getTracks().forEach((track) => track.stop());
      throw new AttemptAborted();
    }
    attempt.stream = stream;
    this.#watchMicrophone(attempt, stream);
    this.#applyMicrophone();
  }

  /**
   * A microphone unplugged (or revoked) mid-call: fall back to the system's
   * default device without dropping the call; only when there is none does
   * the call end.
   */
  #watchMicrophone(attempt: Attempt, stream: MediaStream): void {
    for (const track of stream.getAudioTracks()) {
      // Tied to the attempt: a listener left on a finished track kept the whole attempt reachable.
      track.addEventListener(
        'ended',
        async () => {
          if (attempt.disposed || this.#attempt !== attempt || attempt.stream !== stream) return;
          const chosen = this.options.inputDeviceId;
          try {
            if (this.#state !== 'connected') throw new DOMException('not connected', 'NotFoundError');
            this.options = { ...this.options, inputDeviceId: undefined };
            await this.#replaceMicrophone(attempt);
            this.#report(
              new RealtimeError(
                'microphone-not-found',
                'The microphone was disconnected; the default microphone is used now.',
                { fatal: false },
              ),
            );
          } catch (error) {
            this.options = { ...this.options, inputDeviceId: chosen };
            // A revoked permission says so; anything else means no microphone is left.
            const denied = microphoneError(error);
            this.#fail(
              attempt,
              denied.code === 'microphone-denied'
                ? denied
                : new RealtimeError(
                    'microphone-not-found',
                    'The microphone stopped (unplugged or permission revoked) and no other was found. Connect one and start again.',
                  ),
            );
          }
        },
        { signal: attempt.abort.signal },
      );
    }
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
    void this.#applySink(audio);
    audio.play().catch(() => {
      /* nothing to play yet; this call only unlocks playback for later */
    });
  }

  #playRemote(attempt: Attempt, stream: MediaStream): void {
    const audio = attempt.audio;
    if (!audio || attempt.disposed) return;
    this.#remoteStream = stream;
    audio.srcObject = stream;
    audio.play().catch((error: unknown) => {
      if (attempt.disposed || (error as Error)?.name !== 'NotAllowedError') return;
      this.#audioBlocked = true;
      this.#report(
        new RealtimeError(
          'autoplay-blocked',
          'The browser blocked the assistant\'s voice until you interact with the page. Click "Enable sound" to hear it.',
          {
            cause: error,
            fatal: false,
          },
        ),
      );
    });
  }

  /**
   * Settles when the data channel opens (or the attempt fails or stops).
   * `deadline()` arms the ICE timeout; it is called once the answer is in,
   * so a slow token service is not reported as a network problem.
   */
  #whenOpen(
    attempt: Attempt,
    pc: RTCPeerConnection,
    dc: RTCDataChannel,
  ): { promise: Promise<void>; deadline: (ms: number) => void } {
    let settle!: (error?: Error) => void;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Listeners, not on* handlers: Firefox's RTCPeerConnection (implemented in JS) calls its on*
    // handlers only for events it fires itself, and listeners leave the page's own handlers alone.
    const phase = new AbortController();
    const promise = new Promise<void>((resolve, reject) => {
      settle = (error?: Error) => {
        attempt.clearTimer(timer);
        phase.abort();
        if (error) reject(error);
        else resolve();
      };
    });
    const { signal } = phase;
    dc.addEventListener('open', () => settle(), { signal });
    dc.addEventListener('message', (message) => this.#onMessage(attempt, message), { signal: attempt.abort.signal });
    dc.addEventListener(
      'close',
      // Firefox closes the channel of a connection whose ICE has died, before it says `failed`.
      () =>
        settle(lostPath(pc) ? iceFailed(pc, 'failed') : new RealtimeError('data-channel-closed', DATA_CHANNEL_REFUSED)),
      { signal },
    );
    pc.addEventListener(
      'connectionstatechange',
      () => {
        if (pc.connectionState === 'failed') settle(iceFailed(pc, 'failed'));
      },
      { signal },
    );
    attempt.abort.signal.addEventListener('abort', () => settle(new AttemptAborted()), { once: true });
    const deadline = (ms: number) => {
      timer = attempt.setTimer(() => settle(iceFailed(pc, 'timeout', ms)), ms);
    };
    return { promise, deadline };
  }

  #watchConnection(attempt: Attempt, pc: RTCPeerConnection, dc: RTCDataChannel): void {
    let grace: ReturnType<typeof setTimeout> | undefined;
    // Back on a page that was hidden (phone locked, tab switched): a dead call is replaced now, not after
    // the grace period, and playback the browser paused meanwhile resumes.
    const onVisible = () => {
      if (document.visibilityState !== 'visible' || attempt.disposed) return;
      if (pc.connectionState === 'disconnected' || pc.connectionState === 'failed') {
        this.#fail(attempt, new RealtimeError('connection-lost', CONNECTION_LOST));
      } else if (attempt.audio?.paused && attempt.audio.srcObject) {
        attempt.audio.play().catch(() => {});
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    attempt.abort.signal.addEventListener('abort', () => document.removeEventListener('visibilitychange', onVisible), {
      once: true,
    });
    const { signal } = attempt.abort;
    dc.addEventListener(
      'close',
      () =>
        this.#fail(
          attempt,
          new RealtimeError(
            'data-channel-closed',
            'The realtime service ended the call (its event channel closed). Start again to reconnect.',
          ),
        ),
      { signal },
    );
    pc.addEventListener(
      'connectionstatechange',
      () => {
        const state = pc.connectionState;
        if (state === 'connected') {
          attempt.clearTimer(grace);
          grace = undefined;
        } else if (state === 'failed' || state === 'closed') {
          this.#fail(attempt, new RealtimeError('connection-lost', CONNECTION_LOST));
        } else if (state === 'disconnected' && grace === undefined) {
          grace = attempt.setTimer(
            () => this.#fail(attempt, new RealtimeError('connection-lost', CONNECTION_LOST)),
            DISCONNECT_GRACE_MS,
          );
        }
      },
      { signal },
    );
  }

  #onMessage(attempt: Attempt, message: MessageEvent): void {
    if (attempt.disposed || this.#attempt !== attempt) return;
    // Before handling it: what the page queued goes ahead of whatever its listeners send in answer.
    this.#release(attempt);
    let event: RealtimeServerEvent;
    try {
      event = JSON.parse(String(message.data)) as RealtimeServerEvent;
    } catch (error) {
      this.#report(
        new RealtimeError('invalid-event', 'The realtime service sent a message that is not JSON; it was ignored.', {
          cause: error,
          fatal: false,
        }),
      );
      return;
    }
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
      this.#report(
        new RealtimeError('invalid-event', 'The realtime service sent an event without a "type"; it was ignored.', {
          cause: event,
          fatal: false,
        }),
      );
      return;
    }
    if (event.type === 'output_audio_buffer.started') this.#assistantSpeaking = true;
    else if (event.type === 'output_audio_buffer.stopped' || event.type === 'output_audio_buffer.cleared')
      this.#assistantSpeaking = false;
    this.dispatchEvent(new CustomEvent('realtime-event', { detail: event }));
    const transcript = this.#transcripts.handle(event);
    if (transcript) this.dispatchEvent(new CustomEvent('realtime-transcript', { detail: transcript }));
    if (event.type === 'error') this.#onServiceError(attempt, event as ServerErrorEvent);
    else if (event.type === 'session.created')
      this.#scheduleRenewal(attempt, (event as { session?: { expires_at?: number } }).session?.expires_at);
    if (this.options.tools?.length) this.#toolCalls?.handle(event, this.options.tools);
  }

  /**
   * The service ends a session at its cap (60 minutes) with an error. Ahead
   * of it, at the first quiet moment of the last minute, the call is
   * replaced by a new one, and the page told why (state `reconnecting`,
   * reason `renewal`).
   */
  #scheduleRenewal(attempt: Attempt, expiresAt: unknown): void {
    if (typeof expiresAt !== 'number' || !this.#canRetry()) return;
    const renewAt = expiresAt * 1000 - RENEW_LEAD_MS;
    const whenQuiet = () => {
      const busy = this.#assistantSpeaking || this.#talking;
      if (busy && Date.now() < expiresAt * 1000 - 5_000) attempt.setTimer(whenQuiet, 1_000);
      else void this.#open('reconnecting', 'renewal');
    };
    attempt.setTimer(whenQuiet, Math.max(0, renewAt - Date.now()));
  }

  #onServiceError(attempt: Attempt, event: ServerErrorEvent): void {
    const error = event.error ?? { message: 'Unknown error' };
    if (error.code === 'response_cancel_not_active' && error.event_id && this.#cancelIds.delete(error.event_id)) return;
    if (error.code === 'session_expired') {
      this.#fail(
        attempt,
        new RealtimeError('session-expired', `The session reached its maximum duration: ${error.message}`, {
          cause: error,
        }),
      );
      return;
    }
    this.#report(
      new RealtimeError('service-error', `The realtime service reported an error: ${error.message}`, {
        cause: error,
        fatal: false,
      }),
    );
  }

  // ---- state and errors ----

  #fail(attempt: Attempt, error: unknown): void {
    if (error instanceof AttemptAborted || attempt !== this.#attempt || attempt.disposed) return;
    const realtimeError = toRealtimeError(
      error,
      'connection-lost',
      `The call failed: ${(error as Error)?.message ?? String(error)}`,
    );
    const wasLive = this.#state === 'connected' || this.#state === 'reconnecting';
    this.#disposeAttempt();
    if (wasLive && RECONNECTABLE.has(realtimeError.code) && this.#canRetry()) {
      this.#report(toNonFatal(realtimeError));
      if (this.#attempt === attempt) this.#reconnectLater();
      return;
    }
    this.#report(realtimeError);
    // Unless a realtime-error listener already started the next attempt, which owns the state now.
    if (this.#attempt === attempt) this.#setState('error');
  }

  #canRetry(): boolean {
    return this.#retries < (this.options.reconnectAttempts ?? 3);
  }

  /** Backoff: 1 s, 2 s, 4 s… and no try at all while the browser knows it is offline. */
  #reconnectLater(): void {
    const delay = (this.options.reconnectDelayMs ?? 1000) * 2 ** this.#retries++;
    this.#setState('reconnecting', 'network');
    const retry = () => {
      this.#retryTimer = undefined;
      removeEventListener('online', retry);
      if (this.#state === 'reconnecting') void this.#open('reconnecting', 'network');
    };
    this.#retryTimer = setTimeout(() => {
      if (navigator.onLine === false) addEventListener('online', retry, { once: true });
      else retry();
    }, delay);
    this.#stopRetry = () => {
      clearTimeout(this.#retryTimer);
      removeEventListener('online', retry);
      this.#retryTimer = undefined;
    };
  }
  #stopRetry = () => {};

  #report(error: RealtimeError): void {
    const detail = error.toDetail();
    if (detail.fatal) this.#lastError = detail;
    this.dispatchEvent(new CustomEvent('realtime-error', { detail }));
  }

  #disposeAttempt(): void {
    this.#stopRetry();
    this.#attempt?.dispose();
    this.#startPromise = undefined;
    this.#remoteStream = undefined;
    this.#talking = this.#assistantSpeaking = false;
  }

  #setState(state: RealtimeState, reason?: ReconnectReason): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    if (state === 'connecting') this.#lastError = undefined;
    if (state === 'connected' && previous === 'reconnecting') this.#retries = 0;
    this.dispatchEvent(
      new CustomEvent('realtime-state', { detail: reason ? { state, previous, reason } : { state, previous } }),
    );
  }
}

function toNonFatal(error: RealtimeError): RealtimeError {
  return new RealtimeError(error.code, error.message, { status: error.status, cause: error.cause, fatal: false });
}

/** Throws when a stop() or failure ended this attempt while it awaited something. */
function alive(attempt: Attempt): void {
  if (attempt.disposed) throw new AttemptAborted();
}

/** Why this browser cannot make a call at all, if it cannot. */
function browserProblem(): RealtimeError | undefined {
  if (globalThis.isSecureContext === false) {
    return new RealtimeError(
      'insecure-context',
      `The microphone only works on secure pages: open this page over HTTPS (or on http://localhost). It is served over plain HTTP from ${globalThis.location?.host ?? 'this host'}.`,
    );
  }
  if (typeof RTCPeerConnection === 'undefined' || !globalThis.navigator?.mediaDevices?.getUserMedia) {
    return new RealtimeError(
      'unsupported-browser',
      'This browser does not support WebRTC voice calls (RTCPeerConnection and getUserMedia are needed).',
    );
  }
  return undefined;
}

/** The connection's network path is gone (ICE disconnected or failed). */
function lostPath(pc: RTCPeerConnection): boolean {
  return (
    ['disconnected', 'failed'].includes(pc.iceConnectionState) ||
    ['disconnected', 'failed'].includes(pc.connectionState)
  );
}

function iceFailed(pc: RTCPeerConnection, reason: 'failed' | 'timeout', timeoutMs = 0): RealtimeError {
  const ice = pc.iceConnectionState;
  // connectionState, not ICE alone: it is `connected` only once DTLS is up too (Firefox reports ICE
  // `connected` to a peer whose DTLS never answers).
  if (reason === 'timeout' && pc.connectionState === 'connected') {
    return new RealtimeError(
      'data-channel-closed',
      `The network connection was made but the event channel did not open within ${Math.round(timeoutMs / 1000)} s.`,
    );
  }
  return new RealtimeError(
    'ice-failed',
    reason === 'failed'
      ? 'No network path to the realtime service could be found (ICE failed): a firewall or VPN may block UDP.'
      : `No network path to the realtime service was found within ${Math.round(timeoutMs / 1000)} s (ICE ${ice}${ice === 'connected' || ice === 'completed' ? ', no DTLS' : ''}): a firewall or VPN may block UDP.`,
  );
}
