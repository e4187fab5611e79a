import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { RealtimeClientEvent } from './events/client-events.js';
import type { RealtimeVoiceEventMap } from './events/dom-events.js';
import type { RealtimeServerEvent } from './events/server-events.js';
import type { RealtimeSessionConfig } from './events/session-config.js';
import { en, type RealtimeVoiceStrings } from './i18n/en.js';
import type { RealtimeErrorDetail } from './session/errors.js';
import { RealtimeSession } from './session/realtime-session.js';
import { isActive, type RealtimeState } from './session/state.js';
import { styles } from './styles/realtime-voice.styles.js';

type Activity = 'listening' | 'user-speaking' | 'assistant-speaking';

/**
 * A live voice conversation with an OpenAI `gpt-realtime` model (Azure OpenAI
 * / Microsoft Foundry or OpenAI) over WebRTC, in one tag.
 *
 * @tagname realtime-voice
 * @summary Voice conversation with a realtime model: token or proxied signaling, microphone, playback, events.
 *
 * @fires realtime-state - The connection state changed. `detail: {state, previous}`; state is idle, connecting, connected, closing, closed or error.
 * @fires realtime-error - Something failed. `detail: {code, message, status?, cause?, fatal}`; `fatal: false` means the call goes on.
 * @fires realtime-transcript - User or assistant text grew. `detail: {role, itemId, text, delta, final}`.
 * @fires realtime-event - Every server event of the data channel, `detail` = the parsed event.

 * Every server event is also dispatched under its own type, verbatim (`session.created`,
 * `response.output_audio_transcript.delta`, …; listed one by one in custom-elements.json). The
 * server's `error` event is the one exception to bubbling: it is dispatched on the element only,
 * so it does not reach `window.onerror`.
 *
 * @slot - Extra content shown after the controls.
 *
 * @csspart base - The wrapper of the whole widget.
 * @csspart button - The start / cancel / end button.
 * @csspart mute-button - The microphone mute toggle (shown while connected).
 * @csspart sound-button - "Enable sound", shown when the browser blocked playback.
 * @csspart status - The status line.
 *
 * @cssprop --realtime-voice-accent - Main button and toggle color. Default #1d4ed8.
 * @cssprop --realtime-voice-on-accent - Text on the accent color. Default #fff.
 * @cssprop --realtime-voice-danger - End button and error text color. Default #b91c1c.
 * @cssprop --realtime-voice-surface - Background of the base part. Default transparent.
 * @cssprop --realtime-voice-text - Text color. Default inherited.
 * @cssprop --realtime-voice-muted-text - Status line color. Default #4b5563.
 * @cssprop --realtime-voice-radius - Button corner radius. Default 999px.
 * @cssprop --realtime-voice-gap - Space between controls. Default 0.5rem.
 * @cssprop --realtime-voice-padding - Padding of the base part. Default 0.
 * @cssprop --realtime-voice-font - Font shorthand. Default inherited.
 * @cssprop --realtime-voice-focus-ring - Focus outline color. Default #f59e0b.
 */
export class RealtimeVoice extends LitElement {
  static override styles = styles;

  /** Token service URL (token mode). It is POSTed `{voice, instructions}` and answers `{value, expires_at, calls_url?}`. */
  @property({ attribute: 'token-url' }) tokenUrl = '';

  /** SDP proxy URL (connect mode): the offer goes to your server and the page never sees a token. Wins over `token-url`. */
  @property({ attribute: 'connect-url' }) connectUrl = '';

  /** Where the offer goes in token mode when the token service names no `calls_url`. Default: OpenAI's `/v1/realtime/calls`. */
  @property({ attribute: 'calls-url' }) callsUrl = '';

  /** Output voice, e.g. `marin`, `alloy`. Changing it while connected sends `session.update` (accepted until the model has spoken). */
  @property() voice = '';

  /** System prompt. Changing it while connected sends `session.update`. */
  @property() instructions = '';

  /** Deadline in milliseconds for each step of connecting (token, offer, network path). */
  @property({ type: Number }) timeout = 15000;

  /** Microphone muted (the call stays open). */
  @property({ type: Boolean, reflect: true }) muted = false;

  /** Replaces any of the UI's words. */
  @property({ attribute: false }) strings: Partial<RealtimeVoiceStrings> = {};

  @state() private _state: RealtimeState = 'idle';
  @state() private _activity: Activity = 'listening';
  @state() private _error?: RealtimeErrorDetail;
  @state() private _audioBlocked = false;
  @state() private _announcement = '';

  /** The session behind the element: the whole protocol flow, usable without the UI. */
  readonly session = new RealtimeSession();
  #internals?: ElementInternals;

  constructor() {
    super();
    this.#internals = typeof this.attachInternals === 'function' ? this.attachInternals() : undefined;
    this.session.addEventListener('realtime-state', (e) => this.#onState(e.detail.state, e.detail.previous));
    this.session.addEventListener('realtime-event', (e) => this.#onServerEvent(e.detail));
    this.session.addEventListener('realtime-error', (e) => this.#onError(e.detail));
    this.session.addEventListener('realtime-transcript', (e) => this.#emit('realtime-transcript', e.detail));
  }

  /** idle, connecting, connected, closing, closed or error. */
  get state(): RealtimeState {
    return this._state;
  }

  /** The last fatal error, until the next start(). */
  get error(): RealtimeErrorDetail | undefined {
    return this._error;
  }

  /**
   * Starts a conversation. Call it from a click (autoplay rules). Resolves
   * true once connected, false if it failed (see `realtime-error`) or was
   * stopped; while a call is starting or running it returns the same promise.
   */
  start(): Promise<boolean> {
    this.session.options = {
      tokenUrl: this.tokenUrl || undefined,
      connectUrl: this.connectUrl || undefined,
      callsUrl: this.callsUrl || undefined,
      voice: this.voice || undefined,
      instructions: this.instructions || undefined,
      timeoutMs: this.timeout > 0 ? this.timeout : undefined,
      audioParent: this.renderRoot,
    };
    this.session.muted = this.muted;
    return this.session.start();
  }

  /** Ends the conversation and releases microphone, connection and audio. Safe to call any time. */
  stop(): void {
    this.session.stop();
  }

  /** Sends any client event over the data channel (queued while connecting). */
  send(event: RealtimeClientEvent): boolean {
    return this.session.send(event);
  }

  /** Sends a typed user message and asks for a response. */
  sendText(text: string): boolean {
    return this.session.sendText(text);
  }

  /** Sends `session.update` with these fields (`type: "realtime"` is added). */
  updateSession(session: RealtimeSessionConfig): boolean {
    return this.session.updateSession(session);
  }

  /** Stops the assistant mid-sentence: `response.cancel` + `output_audio_buffer.clear`. */
  interrupt(): boolean {
    return this.session.interrupt();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A framework moving the element re-attaches it in the same task: only a real removal ends the call.
    queueMicrotask(() => {
      if (!this.isConnected) this.session.stop();
    });
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('muted')) this.session.muted = this.muted;
    if (this._state !== 'connected') return;
    // Separate updates: a voice change is refused once the model has spoken, and a refused update changes nothing.
    if (changed.has('instructions')) this.session.updateSession({ instructions: this.instructions });
    if (changed.has('voice') && this.voice) this.session.updateSession({ audio: { output: { voice: this.voice } } });
  }

  override render() {
    const s = this.#words;
    const st = this._state;
    const busy = st === 'connecting';
    const live = st === 'connected';
    const label = live ? s.stop : busy ? s.cancel : st === 'error' ? s.retry : s.start;
    return html`
      <div part="base" class="base" data-state=${st}>
        <button part="button" class="main" type="button" aria-describedby="status" ?disabled=${st === 'closing'} @click=${this.#onMainClick}>
          <span class="dot" aria-hidden="true"></span><span>${busy ? `${s.connecting} ${s.cancel}` : label}</span>
        </button>
        ${live
          ? html`<button part="mute-button" class="secondary" type="button" aria-pressed=${this.muted ? 'true' : 'false'} @click=${this.#onMuteClick}>
              ${this.muted ? s.unmute : s.mute}
            </button>`
          : nothing}
        ${this._audioBlocked && live
          ? html`<button part="sound-button" class="secondary" type="button" @click=${this.#onSoundClick}>${s.enableSound}</button>`
          : nothing}
        <p part="status" id="status" class="status" data-tone=${st === 'error' ? 'error' : 'info'}>${this.#statusText(s)}</p>
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
        <slot></slot>
      </div>
    `;
  }

  /** The built-in words with the page's replacements. */
  get #words(): RealtimeVoiceStrings {
    return { ...en, ...this.strings };
  }

  #statusText(s: RealtimeVoiceStrings): string {
    switch (this._state) {
      case 'connecting':
        return s.connecting;
      case 'connected':
        if (this._audioBlocked) return s.soundBlocked;
        if (this.muted) return s.muted;
        return this._activity === 'assistant-speaking' ? s.assistantSpeaking : this._activity === 'user-speaking' ? s.userSpeaking : s.listening;
      case 'closing':
        return s.closing;
      case 'closed':
        return s.closed;
      case 'error':
        return this._error?.message ?? s.error;
      default:
        return s.idle;
    }
  }

  #onMainClick = () => {
    if (isActive(this._state)) this.stop();
    else void this.start();
  };

  #onMuteClick = () => {
    this.muted = !this.muted;
  };

  #onSoundClick = async () => {
    if (await this.session.resumeAudio()) this._audioBlocked = false;
  };

  #onState(next: RealtimeState, previous: RealtimeState): void {
    this._state = next;
    if (next === 'connecting') {
      this._error = undefined;
      this._audioBlocked = false;
      this._activity = 'listening';
    }
    const s = this.#words;
    const spoken: Partial<Record<RealtimeState, string>> = { connecting: s.connecting, connected: s.listening, closed: s.closed };
    if (next === 'connected' && this._audioBlocked) this._announcement = s.soundBlocked;
    else if (spoken[next]) this._announcement = spoken[next]!;
    this.#setCustomState(next);
    this.#emit('realtime-state', { state: next, previous });
  }

  #onError(detail: RealtimeErrorDetail): void {
    if (detail.fatal) this._error = detail;
    if (detail.code === 'autoplay-blocked') this._audioBlocked = true;
    this._announcement = `${this.#words.error}: ${detail.message}`;
    this.#emit('realtime-error', detail);
  }

  #onServerEvent(event: RealtimeServerEvent): void {
    switch (event.type) {
      case 'input_audio_buffer.speech_started':
        this._activity = 'user-speaking';
        break;
      case 'output_audio_buffer.started':
        this._activity = 'assistant-speaking';
        break;
      case 'input_audio_buffer.speech_stopped':
      case 'output_audio_buffer.stopped':
      case 'output_audio_buffer.cleared':
        this._activity = 'listening';
        break;
    }
    // The server's `error` would reach window.onerror (and error trackers) if it bubbled.
    const bubbles = event.type !== 'error';
    this.dispatchEvent(new CustomEvent(event.type, { detail: event, bubbles, composed: bubbles }));
    this.#emit('realtime-event', event);
  }

  #emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  /** `:state(connected)` etc. for page CSS, where the browser supports custom states. */
  #setCustomState(next: RealtimeState): void {
    const states = (this.#internals as (ElementInternals & { states?: Set<string> }) | undefined)?.states;
    if (!states) return;
    try {
      states.clear();
      states.add(next);
    } catch {
      /* older engines only accepted the --dashed form; styling by state is optional */
    }
  }
}

export interface RealtimeVoice {
  addEventListener<K extends keyof RealtimeVoiceEventMap>(
    type: K,
    listener: (this: RealtimeVoice, event: RealtimeVoiceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
  removeEventListener<K extends keyof RealtimeVoiceEventMap>(
    type: K,
    listener: (this: RealtimeVoice, event: RealtimeVoiceEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | EventListenerOptions): void;
}

declare global {
  interface HTMLElementTagNameMap {
    'realtime-voice': RealtimeVoice;
  }
  interface HTMLElementEventMap {
    'realtime-state': RealtimeVoiceEventMap['realtime-state'];
    'realtime-error': RealtimeVoiceEventMap['realtime-error'];
    'realtime-transcript': RealtimeVoiceEventMap['realtime-transcript'];
    'realtime-event': RealtimeVoiceEventMap['realtime-event'];
  }
}
