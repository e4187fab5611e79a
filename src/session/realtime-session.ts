import type { RealtimeClientEvent } from '../events/client-events.js';
import type { ReconnectReason, TranscriptDetail } from '../events/details.js';
import { typedEventTarget, type RealtimeSessionEventMap } from '../events/dom-events.js';
import { emit } from '../events/emit.js';
import type { RealtimeServerEvent, ServerErrorEvent } from '../events/server-events.js';
import type { RealtimeSessionConfig } from '../events/session-config.js';
import { loadPart } from '../parts/load.js';
import { Attempt } from './attempt.js';
import type { RealtimeCallStats } from './call-stats.js';
import { AttemptAborted, RealtimeError, microphoneError, toRealtimeError, type RealtimeErrorDetail } from './errors.js';
import { DATA_CHANNEL_REFUSED, browserProblem, watchConnection, whenOpen } from './health.js';
import type { FetchLike } from './http.js';
import * as microphone from './microphone.js';
import { applySink, playRemote, prepareAudio, sinkError } from './playback.js';
import { HEARD_WAIT_MS, SendQueue } from './send-queue.js';
import {
  ConnectSignaling,
  TokenSignaling,
  type PageCredentials,
  type Signaling,
  type SignalingContext,
} from './signaling.js';
import { isActive, type RealtimeState } from './state.js';
import { toolDefinitions, type RealtimeTool } from './tool-definitions.js';
import type { WarmToken } from './warm-token.js';

export type { ReconnectReason, RealtimeSessionEventMap };

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
  /** Where the session's call part loads from (a base URL); default beside the bundle. */
  partsUrl?: string;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** In push-to-talk, audio still in flight when the key is released belongs to the turn: commit after it. */
const TALK_TAIL_MS = 200;
/** Server events kept for the call part while it loads (it sees each event of the call, in order). */
const MAX_EARLY_EVENTS = 500;

type CallPart = typeof import('../parts/call.js');
/** The call part's helpers for one session: the transcripts, tools, reconnection and the token fetched ahead. */
interface CallHelpers {
  part: CallPart;
  reconnection: InstanceType<CallPart['Reconnection']>;
  warm: WarmToken<Signaling>;
  transcripts: InstanceType<CallPart['TranscriptTracker']>;
}

/** EventTarget typed by the session's events (one listener typing for the session and the element). */
const SessionEvents = typedEventTarget<RealtimeSessionEventMap>();

/**
 * The whole browser side of a GA Realtime call over WebRTC, without any UI: token or proxy
 * signaling, microphone, peer connection, data channel, remote audio, event parsing and teardown.
 * This class orchestrates; each job is its own module (microphone, playback, health, send-queue,
 * reconnection, warm-token), working on the disposable `Attempt` of one call.
 */
export class RealtimeSession extends SessionEvents {
  options: RealtimeSessionOptions;
  #state: RealtimeState = 'idle';
  #attempt?: Attempt;
  #startPromise?: Promise<boolean>;
  #queue = new SendQueue();
  #muted = false;
  #ownEventIds = 0;
  /** `event_id`s of our own response.cancel: the service's "nothing to cancel" answer to them is not worth an error. */
  #cancelIds = new Set<string>();
  #callId?: string;
  #locked: readonly string[] = [];
  #lastError?: RealtimeErrorDetail;
  #audioBlocked = false;
  #remoteStream?: MediaStream;
  #talking = false;
  #talkTail?: ReturnType<typeof setTimeout>;
  #assistantSpeaking = false;
  #helpers?: CallHelpers;
  /** The current attempt's tool runner (made with it, so a reconnection forgets the old call's pending tools). */
  #toolCalls?: InstanceType<CallPart['ToolCalls']>;
  /** Server events of the current call that came before the call part. */
  #early: RealtimeServerEvent[] = [];

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

  /** False when echo cancellation was asked for and the microphone has none: the model may hear itself. */
  get echoCancelled(): boolean | undefined {
    return microphone.echoCancelled(this.#attempt?.stream, this.options.audioConstraints);
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
    if (!pc || pc.connectionState === 'closed') return undefined;
    return (await this.#loadHelpers()).part.readCallStats(pc);
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
    microphone.enableMicrophone(this.#attempt, !this.#muted && (!this.options.pushToTalk || this.#talking));
  }

  /**
   * Opens a call. Call it from a click handler: the audio element is created and started before the
   * first await, which is what autoplay rules and iOS need. Resolves true once the data channel is
   * open, false when the attempt failed (see `realtime-error`) or was stopped. Calling it again while a
   * call is starting or running returns the same promise: never two calls.
   */
  start(): Promise<boolean> {
    if (this.#startPromise && isActive(this.#state)) return this.#startPromise;
    // Called from a realtime-error listener (a page retrying): the failed attempt's `error` comes before the new
    // `connecting`. (Not while a reconnection waits: start() then just tries at once.)
    if (this.#attempt?.disposed && isActive(this.#state) && !this.#helpers?.reconnection.waiting)
      this.#setState('error');
    this.#helpers?.reconnection.reset();
    return this.#open('connecting');
  }

  /** Ends the call and releases microphone, connection, audio and timers. Safe to call at any time, any number of times. */
  stop(): void {
    const active = (this.#attempt && !this.#attempt.disposed) || this.#helpers?.reconnection.waiting;
    if (!active) return;
    this.#setState('closing');
    this.#disposeAttempt();
    this.#setState('closed');
  }

  /**
   * Token mode, before start(): the user is about to click (the pointer is over the start button, or
   * it has focus). Fetching the token now takes the token service's time, often hundreds of ms in the
   * cloud, off the click. The token is used by one start() within 20 s with the same settings and
   * sign-in; at most one fetch ahead per 20 s. If it failed before the click, start() fetches again;
   * if it is still under way, start() takes its outcome, so a hanging token service costs one
   * deadline, not two. Nothing else happens ahead (no microphone).
   */
  warmUp(): void {
    const canWarm = () => {
      const o = this.options;
      return !!o.tokenUrl && !o.connectUrl && !o.signaling && !isActive(this.#state);
    };
    if (!canWarm()) return;
    void this.#loadHelpers().then(({ warm }) => {
      if (!canWarm()) return;
      const signaling = this.#signaling();
      const context = this.#context(new AbortController().signal);
      warm.warm(this.#warmKey(), this.options.authorization, () => signaling.prepare(context).then(() => signaling));
    });
  }

  #warmKey(): string {
    const o = this.options;
    return JSON.stringify([o.tokenUrl, o.callsUrl, o.voice, o.instructions, o.credentials]);
  }

  #context(signal: AbortSignal): SignalingContext {
    return {
      fetch: this.options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      signal,
      timeoutMs: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    };
  }

  /**
   * The call part, fetched once (never awaited by the click). Without it a call still runs; it has no
   * transcripts, tools, reconnection, wake lock or token ahead, and the page hears why.
   */
  #loadHelpers(): Promise<CallHelpers> {
    return loadPart('call', () => import('../parts/call.js'), this.options.partsUrl).then(
      (part) =>
        (this.#helpers ??= {
          part,
          reconnection: new part.Reconnection(() => this.options),
          warm: new part.WarmToken<Signaling>(),
          transcripts: new part.TranscriptTracker(),
        }),
    );
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
    this.#queue.reset();
    this.#cancelIds.clear();
    this.#early = [];
    this.#toolCalls = undefined;
    this.#callId = undefined;
    this.#audioBlocked = false;
    this.#setState(state, reason);
    prepareAudio(attempt, this.options.audioElement, this.options.audioParent);
    if (attempt.audio) void this.#applySink(attempt.audio);
    this.#configureSession();
    this.#loadHelpers().then(
      (helpers) => this.#attempt === attempt && this.#startHelpers(attempt, helpers),
      (error: unknown) => this.#report(partError(error)),
    );
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

  /** The call part is in: this attempt's tool runner, and the server events it missed. */
  #startHelpers(attempt: Attempt, helpers: CallHelpers): void {
    if (!attempt.disposed) {
      helpers.transcripts.reset();
      this.#toolCalls = new helpers.part.ToolCalls(
        (event) => this.#attempt === attempt && this.send(event),
        (name, why, cause) => {
          const message = `The tool "${name}" failed: ${why}`;
          this.#report(new RealtimeError('tool-failed', message, { cause, fatal: false }));
        },
      );
    }
    if (this.#state === 'connected') helpers.part.keepScreenAwake(attempt.abort.signal);
    for (const event of this.#early.splice(0)) this.#handle(attempt, helpers, event);
  }

  /** Queued before the channel opens, so the model never runs a moment without the page's tools or turn mode. */
  #configureSession(): void {
    const { tools, pushToTalk } = this.options;
    const session: RealtimeSessionConfig = {};
    if (tools?.length) Object.assign(session, { tools: toolDefinitions(tools), tool_choice: 'auto' });
    if (pushToTalk) session.audio = { input: { turn_detection: null } };
    if (Object.keys(session).length) this.updateSession(session);
  }

  /** Push-to-talk, on press: the microphone opens, whatever was buffered is dropped and an answer still playing is cut off. */
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

  /**
   * Switches the microphone during a call without reconnecting; before a call it only chooses the
   * device. Resolves false (and reports a non-fatal error) when the device cannot be opened; the call
   * then goes on with the old one.
   */
  async switchMicrophone(deviceId?: string): Promise<boolean> {
    this.options = { ...this.options, inputDeviceId: deviceId };
    const attempt = this.#attempt;
    try {
      if (attempt) await this.#replaceMicrophone(attempt);
      return true;
    } catch (error) {
      if (!(error instanceof AttemptAborted)) this.#report(toNonFatal(microphoneError(error)));
      return false;
    }
  }

  async #replaceMicrophone(attempt: Attempt): Promise<void> {
    const stream = await microphone.replaceMicrophone(attempt, this.options);
    if (stream) this.#watchMicrophone(attempt, stream);
    this.#applyMicrophone();
  }

  /**
   * A microphone unplugged (or revoked) mid-call: fall back to the system's default device without
   * dropping the call; only when there is none does the call end.
   */
  #watchMicrophone(attempt: Attempt, stream: MediaStream): void {
    microphone.watchMicrophone(attempt, stream, async () => {
      if (attempt.disposed || this.#attempt !== attempt || attempt.stream !== stream) return;
      const chosen = this.options.inputDeviceId;
      try {
        if (this.#state !== 'connected') throw new DOMException('not connected', 'NotFoundError');
        this.options = { ...this.options, inputDeviceId: undefined };
        await this.#replaceMicrophone(attempt);
        const message = 'The microphone was disconnected; the default microphone is used now.';
        this.#report(new RealtimeError('microphone-not-found', message, { fatal: false }));
      } catch (error) {
        this.options = { ...this.options, inputDeviceId: chosen };
        // A revoked permission says so; anything else means no microphone is left.
        const denied = microphoneError(error);
        const message =
          'The microphone stopped (unplugged or permission revoked) and no other was found. Connect one and start again.';
        this.#fail(
          attempt,
          denied.code === 'microphone-denied' ? denied : new RealtimeError('microphone-not-found', message),
        );
      }
    });
  }

  /** Plays the model's voice on this output device, where `setSinkId` exists. */
  async setOutputDevice(deviceId: string): Promise<boolean> {
    this.options = { ...this.options, outputDeviceId: deviceId };
    const audio = this.#attempt?.audio;
    return audio ? this.#applySink(audio) : true;
  }

  #applySink(audio: HTMLAudioElement): Promise<boolean> {
    return applySink(audio, this.options.outputDeviceId).then(
      () => true,
      (error: unknown) => (this.#report(sinkError(error)), false),
    );
  }

  /**
   * Sends a client event. Before the data channel opens, events are queued and sent on open. Returns
   * false (and reports `realtime-error`) when there is no call or the event is not a protocol event.
   */
  send(event: RealtimeClientEvent): boolean {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string' || !event.type) {
      const message = 'send() needs an event object with a "type", e.g. {type: "response.create"}.';
      this.#report(new RealtimeError('invalid-event', message, { fatal: false }));
      return false;
    }
    const dc = this.#attempt?.dc;
    const open = this.#state === 'connected' && dc?.readyState === 'open';
    if (open && !this.#queue.held) {
      dc.send(JSON.stringify(event));
      return true;
    }
    if ((open || this.#state === 'connecting' || this.#state === 'reconnecting') && this.#queue.push(event, open))
      return true;
    const message = `Cannot send "${event.type}": there is no open call. Start the conversation first.`;
    this.#report(new RealtimeError('not-connected', message, { fatal: false }));
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

  // ---- the connection flow ----

  async #connect(attempt: Attempt): Promise<void> {
    if (attempt.disposed) throw new AttemptAborted(); // not even a microphone prompt when a listener stopped it at `connecting`
    const signaling = this.#signaling();
    const context = this.#context(attempt.abort.signal);
    // The token request and the microphone prompt overlap: both take human or network time.
    // Whichever fails first decides the error; the other is released by dispose().
    const opened = microphone.openMicrophone(attempt, this.options).then((stream) => {
      this.#watchMicrophone(attempt, stream);
      this.#applyMicrophone();
    });
    const mic = attempt.guard(opened);
    const warm = this.#helpers?.warm.take(this.#warmKey(), this.options.authorization);
    const prepared = attempt.guard((async () => (await warm) ?? (await signaling.prepare(context), signaling))());
    prepared.catch(() => {});
    mic.catch(() => {});
    const [, ready] = await Promise.all([mic, prepared] as const);

    const pc = new RTCPeerConnection();
    attempt.pc = pc;
    const onTrack = (event: RTCTrackEvent) => {
      this.#remoteStream = event.streams[0] ?? new MediaStream([event.track]);
      playRemote(attempt, this.#remoteStream, (error) => {
        this.#audioBlocked = true;
        this.#report(error);
      });
    };
    pc.addEventListener('track', onTrack, { signal: attempt.abort.signal });
    for (const track of attempt.stream!.getAudioTracks()) pc.addTrack(track, attempt.stream!);
    // Before the offer, or the offer has no m=application section and no event ever arrives.
    const dc = pc.createDataChannel(this.options.dataChannelLabel ?? 'oai-events');
    attempt.dc = dc;
    const open = whenOpen(attempt, pc, dc);
    open.promise.catch(() => {});
    dc.addEventListener('message', (message) => this.#onMessage(attempt, message), { signal: attempt.abort.signal });

    const offer = await attempt.guard(pc.createOffer());
    await attempt.guard(pc.setLocalDescription(offer));
    // No wait for ICE gathering: the service (ICE-lite) learns our address from our checks.
    const answer = await attempt.guard(ready.exchange(pc.localDescription?.sdp ?? offer.sdp ?? '', context));
    this.#callId = answer.callId;
    this.#locked = answer.locked ?? [];
    try {
      await attempt.guard(pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }));
    } catch (error) {
      if (attempt.disposed) throw new AttemptAborted();
      const why = String((error as Error).message).trim();
      throw new RealtimeError('sdp-rejected', `The service's SDP answer could not be used: ${why}`, { cause: error });
    }
    // An answer that rejects the data channel (port 0): Chromium closes the channel, Firefox leaves
    // it "connecting" until the deadline. Say so now, the same way in every engine.
    if (/^m=application 0 /m.test(answer.sdp)) throw new RealtimeError('data-channel-closed', DATA_CHANNEL_REFUSED);
    open.deadline(context.timeoutMs);
    await attempt.guard(open.promise);
    watchConnection(attempt, pc, dc, (error) => this.#fail(attempt, error));
    // With webrtcfilter=on no session.created ever arrives: an open data channel is "connected".
    this.#setState('connected');
    if (this.#helpers) this.#helpers.part.keepScreenAwake(attempt.abort.signal);
    attempt.setTimer(() => this.#release(attempt), HEARD_WAIT_MS);
  }

  /** Sends what was queued, once the service has spoken on the channel (or the wait is over). */
  #release(attempt: Attempt): void {
    if (attempt === this.#attempt && !attempt.disposed && attempt.dc) this.#queue.release(attempt.dc);
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

  #onMessage(attempt: Attempt, message: MessageEvent): void {
    if (attempt.disposed || this.#attempt !== attempt) return;
    // Before handling it: what the page queued goes ahead of whatever its listeners send in answer.
    this.#release(attempt);
    let event: RealtimeServerEvent;
    try {
      event = JSON.parse(String(message.data)) as RealtimeServerEvent;
    } catch (error) {
      const why = 'The realtime service sent a message that is not JSON; it was ignored.';
      return this.#report(new RealtimeError('invalid-event', why, { cause: error, fatal: false }));
    }
    if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
      const why = 'The realtime service sent an event without a "type"; it was ignored.';
      return this.#report(new RealtimeError('invalid-event', why, { cause: event, fatal: false }));
    }
    if (event.type === 'output_audio_buffer.started') this.#assistantSpeaking = true;
    else if (event.type === 'output_audio_buffer.stopped' || event.type === 'output_audio_buffer.cleared')
      this.#assistantSpeaking = false;
    emit<RealtimeSessionEventMap, 'realtime-event'>(this, 'realtime-event', event);
    if (event.type === 'error') this.#onServiceError(attempt, event as ServerErrorEvent);
    if (this.#helpers && this.#toolCalls) this.#handle(attempt, this.#helpers, event);
    else if (this.#early.length < MAX_EARLY_EVENTS) this.#early.push(event);
  }

  /** What the call part does with a server event: transcripts, renewal timing, tool calls. */
  #handle(attempt: Attempt, helpers: CallHelpers, event: RealtimeServerEvent): void {
    if (attempt.disposed || this.#attempt !== attempt) return;
    const transcript: TranscriptDetail | undefined = helpers.transcripts.handle(event);
    if (transcript) emit<RealtimeSessionEventMap, 'realtime-transcript'>(this, 'realtime-transcript', transcript);
    if (event.type === 'session.created') {
      const expiresAt = (event as { session?: { expires_at?: number } }).session?.expires_at;
      const busy = () => this.#assistantSpeaking || this.#talking;
      helpers.reconnection.scheduleRenewal(attempt, expiresAt, busy, () => void this.#open('reconnecting', 'renewal'));
    }
    if (this.options.tools?.length) this.#toolCalls?.handle(event, this.options.tools);
  }

  #onServiceError(attempt: Attempt, event: ServerErrorEvent): void {
    const error = event.error ?? { message: 'Unknown error' };
    if (error.code === 'response_cancel_not_active' && error.event_id && this.#cancelIds.delete(error.event_id)) return;
    if (error.code === 'session_expired') {
      const message = `The session reached its maximum duration: ${error.message}`;
      return this.#fail(attempt, new RealtimeError('session-expired', message, { cause: error }));
    }
    const message = `The realtime service reported an error: ${error.message}`;
    this.#report(new RealtimeError('service-error', message, { cause: error, fatal: false }));
  }

  // ---- state and errors ----

  #fail(attempt: Attempt, error: unknown): void {
    if (error instanceof AttemptAborted || attempt !== this.#attempt || attempt.disposed) return;
    const message = `The call failed: ${(error as Error)?.message ?? String(error)}`;
    const realtimeError = toRealtimeError(error, 'connection-lost', message);
    const wasLive = this.#state === 'connected' || this.#state === 'reconnecting';
    this.#disposeAttempt();
    const reconnection = this.#helpers?.reconnection;
    if (reconnection?.shouldReconnect(realtimeError.code, wasLive)) {
      this.#report(toNonFatal(realtimeError));
      if (this.#attempt !== attempt) return; // a realtime-error listener started a call of its own
      this.#setState('reconnecting', 'network');
      reconnection.later(() => this.#state === 'reconnecting' && void this.#open('reconnecting', 'network'));
      return;
    }
    this.#report(realtimeError);
    // Unless a realtime-error listener already started the next attempt, which owns the state now.
    if (this.#attempt === attempt) this.#setState('error');
  }

  #report(error: RealtimeError): void {
    const detail = error.toDetail();
    if (detail.fatal) this.#lastError = detail;
    emit<RealtimeSessionEventMap, 'realtime-error'>(this, 'realtime-error', detail);
  }

  #disposeAttempt(): void {
    this.#helpers?.reconnection.cancel();
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
    if (state === 'connected' && previous === 'reconnecting') this.#helpers?.reconnection.reset();
    const detail = reason ? { state, previous, reason } : { state, previous };
    emit<RealtimeSessionEventMap, 'realtime-state'>(this, 'realtime-state', detail);
  }
}

function toNonFatal(error: RealtimeError): RealtimeError {
  return new RealtimeError(error.code, error.message, { status: error.status, cause: error.cause, fatal: false });
}

/** The call part could not be fetched (offline, 404, CSP): the call goes on without what it does. */
function partError(error: unknown): RealtimeError {
  const message = `A part of the widget (realtime-voice.call.js: transcripts, tools, reconnection) could not be loaded (${(error as Error)?.message ?? error}); the call goes on without it.`;
  return new RealtimeError('part-unavailable', message, { cause: error, fatal: false });
}
