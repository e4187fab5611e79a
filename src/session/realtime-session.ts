import type { RealtimeClientEvent } from '../events/client-events.js';
import type { ReconnectReason } from '../events/details.js';
import { typedEventTarget, type RealtimeSessionEventMap } from '../events/dom-events.js';
import { emit } from '../events/emit.js';
import type { HistoryTurn } from '../events/details.js';
import type { ServerErrorEvent } from '../events/server-events.js';
import type { RealtimeSessionConfig } from '../events/session-config.js';
import { Attempt } from './attempt.js';
import { CallHelpers } from './call-helpers.js';
import type { RealtimeCallStats } from './call-stats.js';
import { AttemptAborted, RealtimeError, toRealtimeError, type RealtimeErrorDetail } from './errors.js';
import { browserProblem, watchConnection } from './health.js';
import type { RealtimeSessionOptions } from './options.js';
import * as microphone from './microphone.js';
import { negotiate } from './peer.js';
import { Speaker } from './playback.js';
import { HEARD_WAIT_MS, SendQueue, userMessage } from './send-queue.js';
import { parseServerEvent, serviceError, speakingAfter } from './server-messages.js';
import type { SessionView } from './session-view.js';
import { signalingContext, signalingFor, type SdpAnswer } from './signaling.js';
import { isActive, type RealtimeState } from './state.js';
import { initialSession } from './tool-definitions.js';

export type { ReconnectReason, RealtimeSessionEventMap, RealtimeSessionOptions };

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
  /** The service's answer to this call's offer: its call id and the fields the page's server locked. */
  #answer?: SdpAnswer;
  #lastError?: RealtimeErrorDetail;
  /** The model's voice: its audio element, speaker and autoplay block. */
  readonly #speaker = new Speaker((error) => this.#report(error));
  #assistantSpeaking = false;
  /** What the jobs kept in their own modules are lent of the session: its options, state and attempt. */
  readonly #view = ((s): SessionView => ({
    options: () => s.options,
    state: () => s.#state,
    attempt: () => s.#attempt,
    assistantSpeaking: () => s.#assistantSpeaking,
    talking: () => s.talking,
    choose: (inputDeviceId) => (s.options = { ...s.options, inputDeviceId }),
    send: (event) => s.send(event),
    interrupt: () => s.interrupt(),
    applyMicrophone: () => s.#applyMicrophone(),
    report: (error) => s.#report(error),
    fail: (attempt, error) => s.#fail(attempt, error),
    transcript: (detail) => emit<RealtimeSessionEventMap, 'realtime-transcript'>(s, 'realtime-transcript', detail),
    usage: (detail) => emit<RealtimeSessionEventMap, 'realtime-usage'>(s, 'realtime-usage', detail),
    renew: () => void s.#open('reconnecting', 'renewal'),
    locked: () => s.lockedFields,
  }))(this);
  /** The call part's work: transcripts, tools, push-to-talk, reconnection, renewal, the token fetched ahead. */
  readonly #helpers = new CallHelpers(this.#view);

  constructor(options: RealtimeSessionOptions = {}) {
    super();
    this.options = options;
  }

  get state(): RealtimeState {
    return this.#state;
  }

  /** `rtc_…` of the current call, when the service told it (Location header). */
  get callId(): string | undefined {
    return this.#answer?.callId;
  }

  /** Session fields the page's server said it fixed for this call (`X-Realtime-Locked`): the page's value for them is not used. */
  get lockedFields(): readonly string[] {
    return this.#answer?.locked ?? [];
  }

  get lastError(): RealtimeErrorDetail | undefined {
    return this.#lastError;
  }

  /** True while the browser refuses to play the model's voice until the user clicks (call resumeAudio() from a click). */
  get audioBlocked(): boolean {
    return this.#speaker.blocked;
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
    return this.#attempt?.remote;
  }

  /** True between the model's audio starting and stopping (or being cut off). */
  get assistantSpeaking(): boolean {
    return this.#assistantSpeaking;
  }

  /** Push-to-talk: true while the user holds the talk key. */
  get talking(): boolean {
    return !!this.#helpers.talk?.talking;
  }

  get peerConnection(): RTCPeerConnection | undefined {
    return this.#attempt?.pc;
  }

  /** The running call's quality (round trip, jitter, losses, concealed audio), the same in every engine; undefined without a call (or without the call part, which could not be fetched). */
  callStats(): Promise<RealtimeCallStats | undefined> {
    return this.#helpers.callStats(this.#attempt?.pc);
  }

  /** The conversation so far, as a next call would be given it back: final turns, newest last. */
  get history(): readonly HistoryTurn[] {
    return this.#helpers.history;
  }

  /**
   * Gives turns of an earlier conversation (a page's own store) to the next call, which starts with
   * them; each is announced as a `realtime-transcript` with `restored: true`. Needs the call part
   * (fetched here if it is not in yet), which checks them.
   */
  async restoreHistory(turns: readonly HistoryTurn[]): Promise<void> {
    (await this.#helpers.load()).restore(this.#helpers, turns, this.#view);
  }

  /** Forgets the conversation: the next call starts a new one. */
  clearHistory(): void {
    this.#helpers.history = [];
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
    microphone.enableMicrophone(this.#attempt, !this.#muted && (!this.options.pushToTalk || this.talking));
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
    if (this.#attempt?.disposed && isActive(this.#state) && !this.#helpers.reconnection?.waiting)
      this.#setState('error');
    this.#helpers.reconnection?.reset();
    return this.#open('connecting');
  }

  /** Ends the call and releases microphone, connection, audio and timers. Safe to call at any time, any number of times. */
  stop(): void {
    const active = (this.#attempt && !this.#attempt.disposed) || this.#helpers.reconnection?.waiting;
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
    this.#helpers.warmUp();
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
    this.#answer = undefined;
    this.#setState(state, reason);
    this.#speaker.prepare(attempt, this.options);
    const setup = initialSession(this.options);
    if (setup) this.updateSession(setup);
    // A reconnection or renewal goes on with the conversation; start() does when the page keeps it (persist).
    this.#helpers.begin(attempt, state === 'reconnecting' || !!this.options.keepHistory);
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

  /** Push-to-talk, on press: the microphone opens, and an answer still playing is cut off. */
  startTalking(): boolean {
    return !!this.#helpers.talk?.start();
  }

  /** Push-to-talk, on release: the turn is committed and answered. */
  stopTalking(): boolean {
    return !!this.#helpers.talk?.stop();
  }

  /**
   * Switches the microphone during a call without reconnecting; before a call it only chooses the
   * device. Resolves false (and reports a non-fatal error) when the device cannot be opened; the call
   * then goes on with the old one.
   */
  switchMicrophone(deviceId?: string): Promise<boolean> {
    this.options = { ...this.options, inputDeviceId: deviceId };
    return microphone.chooseMicrophone(this.#view, this.#attempt);
  }

  /** Plays the model's voice on this output device, where `setSinkId` exists. */
  setOutputDevice(deviceId: string): Promise<boolean> {
    this.options = { ...this.options, outputDeviceId: deviceId };
    return this.#speaker.playOn(this.#attempt?.audio, deviceId);
  }

  /**
   * Sends a client event. Before the data channel opens, events are queued and sent on open. Returns
   * false (and reports `realtime-error`) when there is no call or the event is not a protocol event.
   */
  send(event: RealtimeClientEvent): boolean {
    const refused = this.#queue.send(event, this.#attempt?.dc, this.#state);
    if (refused) this.#report(refused);
    return !refused;
  }

  /** Types a user message and asks for an answer. */
  sendText(text: string): boolean {
    return this.send(userMessage(text)) && this.send({ type: 'response.create' });
  }

  /** Brings `options.settings` into the running call where its session differs (a `session.update`, locked fields left out). */
  syncSettings(): void {
    this.#helpers.settings?.sync();
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
  resumeAudio(): Promise<boolean> {
    return this.#speaker.resume(this.#attempt?.audio);
  }

  // ---- the connection flow ----

  async #connect(attempt: Attempt): Promise<void> {
    if (attempt.disposed) throw new AttemptAborted(); // not even a microphone prompt when a listener stopped it at `connecting`
    const signaling = signalingFor(this.options);
    const context = signalingContext(this.options, attempt.abort.signal);
    const ready = await microphone.prepareCall(this.#view, attempt, signaling, context, this.#helpers.takeWarm());

    this.#answer = await negotiate(attempt, ready, context, {
      dataChannelLabel: this.options.dataChannelLabel,
      track: (stream) => this.#speaker.play(attempt, stream),
      message: (message) => this.#onMessage(attempt, message),
    });
    watchConnection(attempt, attempt.pc!, attempt.dc!, (error) => this.#fail(attempt, error));
    // Reconnection is the call part's (fetched since start()): a call is not live until it is in, or
    // a network failure in its first moments would end it instead of reconnecting. Without it, live
    // anyway; a stop() meanwhile ends the wait (guard).
    await attempt.guard(this.#helpers.load().catch(() => {}));
    // With webrtcfilter=on no session.created ever arrives: an open data channel is "connected".
    this.#setState('connected');
    // The service spoke while the call was connecting: what was queued since goes now, in order. Else it
    // goes when the service speaks, or once the wait is over.
    if (this.#queue.held) attempt.setTimer(() => this.#release(attempt), HEARD_WAIT_MS);
    else this.#release(attempt);
    this.#helpers.connected(attempt);
  }

  /** Sends what was queued, once the service has spoken on the channel (or the wait is over). */
  #release(attempt: Attempt): void {
    if (attempt === this.#attempt && !attempt.disposed && attempt.dc) this.#queue.release(attempt.dc);
  }

  #onMessage(attempt: Attempt, message: MessageEvent): void {
    if (attempt.disposed || this.#attempt !== attempt) return;
    // Before handling it: what the page queued goes ahead of whatever its listeners send in answer.
    this.#release(attempt);
    const event = parseServerEvent(message.data);
    if (event instanceof RealtimeError) return this.#report(event);
    this.#assistantSpeaking = speakingAfter(event.type, this.#assistantSpeaking);
    emit<RealtimeSessionEventMap, 'realtime-event'>(this, 'realtime-event', event);
    // The service's error: its end of the session, or a problem the call survives (or our own cancel's echo).
    const problem = event.type === 'error' ? serviceError(event as ServerErrorEvent, this.#cancelIds) : undefined;
    if (problem?.fatal) this.#fail(attempt, problem);
    else if (problem) this.#report(problem);
    this.#helpers.event(attempt, event);
  }

  // ---- state and errors ----

  #fail(attempt: Attempt, error: unknown): void {
    if (error instanceof AttemptAborted || attempt !== this.#attempt || attempt.disposed) return;
    const message = `The call failed: ${(error as Error)?.message ?? String(error)}`;
    const realtimeError = toRealtimeError(error, 'connection-lost', message);
    const wasLive = this.#state === 'connected' || this.#state === 'reconnecting';
    this.#disposeAttempt();
    const reconnection = this.#helpers.reconnection;
    if (reconnection?.shouldReconnect(realtimeError.code, wasLive)) {
      this.#report(realtimeError.nonFatal());
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
    this.#helpers.reconnection?.cancel();
    this.#attempt?.dispose();
    this.#startPromise = undefined;
    if (this.#helpers.talk) this.#helpers.talk.talking = false;
    this.#assistantSpeaking = false;
  }

  #setState(state: RealtimeState, reason?: ReconnectReason): void {
    const previous = this.#state;
    if (previous === state) return;
    this.#state = state;
    if (state === 'connecting') this.#lastError = undefined;
    if (state === 'connected' && previous === 'reconnecting') this.#helpers.reconnection?.reset();
    const detail = reason ? { state, previous, reason } : { state, previous };
    emit<RealtimeSessionEventMap, 'realtime-state'>(this, 'realtime-state', detail);
  }
}
