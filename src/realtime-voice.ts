import { LitElement, html, nothing, type PropertyValues } from 'lit';
import type { RealtimeClientEvent } from './events/client-events.js';
import type { McpApprovalRequest, RealtimeErrorDetail, ReconnectReason, RealtimeState } from './events/details.js';
import type { RealtimeVoiceEventMap, RealtimeVoiceOwnEventMap } from './events/dom-events.js';
import { emit } from './events/emit.js';
import type { RealtimeServerEvent } from './events/server-events.js';
import type { RealtimeSessionConfig } from './events/session-config.js';
import { SETTING_ATTRIBUTES, settingProperty, type PageSettings } from './events/session-settings.js';
import { en, type RealtimeVoiceStrings, type Words } from './i18n/en.js';
import { isRightToLeft, loadLanguage, stringsFor } from './i18n/index.js';
import type { ElementPart, MetersPart, PartFactory, PartHost } from './parts/kit.js';
import { loadPart, partUnavailable, partsConfig, type PartName } from './parts/load.js';
import { RealtimeError } from './session/errors.js';
import { RealtimeSession } from './session/realtime-session.js';
import { isActive } from './session/state.js';
import type { RealtimeTool } from './session/tool-definitions.js';
import { css, styles } from './styles/realtime-voice.styles.js';
import { activityAfter, errorText, stateAnnouncement, statusText, type Activity } from './ui/status-words.js';

/** The element's parts, each loaded when an attribute asks for it (src/parts/). */
type ElementPartName = Exclude<PartName, 'call'>;
const PART_FILES: Record<ElementPartName, () => Promise<{ default: PartFactory }>> = {
  meters: () => import('./parts/meters.js'),
  devices: () => import('./parts/devices.js'),
  transcript: () => import('./parts/transcript.js'),
  layouts: () => import('./parts/layouts.js'),
  visualizer: () => import('./parts/visualizer.js'),
  history: () => import('./parts/history.js'),
  controls: () => import('./parts/controls.js'),
  approvals: () => import('./parts/approvals.js'),
};
/** Their order in the panel. */
const PANEL_PARTS = ['meters', 'approvals', 'devices', 'transcript'] as const;

/**
 * A live voice conversation with an OpenAI `gpt-realtime` model (Azure OpenAI
 * / Microsoft Foundry or OpenAI) over WebRTC, in one tag.
 *
 * @tagname realtime-voice
 * @summary Voice conversation with a realtime model: token or proxied signaling, microphone, playback, events.
 *
 * @fires realtime-state - The connection state changed. `detail: {state, previous, reason?}`; state is idle, connecting, connected, reconnecting, closing, closed or error; `reason` (network or renewal) comes with reconnecting.
 * @fires realtime-error - Something failed. `detail: {code, message, status?, cause?, fatal}`; `fatal: false` means the call goes on.
 * @fires realtime-transcript - User or assistant text grew. `detail: {role, itemId, text, delta, final, truncated?, restored?}`; `restored`: a turn of an earlier call or page given back (`persist`).
 * @fires realtime-event - Every server event of the data channel, `detail` = the parsed event.
 * @fires realtime-usage - After each response: `detail: {responseId, response, call, conversation}`, each `{responses, inputTokens, outputTokens, totalTokens, inputTextTokens, inputAudioTokens, cachedTokens, outputTextTokens, outputAudioTokens}`; `call` and `conversation` are running totals (the conversation's go on over reconnections, renewals and, with `persist`, later calls of this page; a reload counts from zero).
 * @fires realtime-levels - With `meters` or a `visualizer`, while a call runs: `detail: {input, output}` levels from 0 to 1 in steps of 0.02, for custom visualizers; once at the start, then each time either changes, at most about 15 times a second (4 under prefers-reduced-motion). None while both hold still (silence), so a page is not woken for nothing.

 * Every server event is also dispatched under its own type, verbatim (`session.created`,
 * `response.output_audio_transcript.delta`, …; listed one by one in custom-elements.json). The
 * server's `error` event is the one exception to bubbling: it is dispatched on the element only,
 * so it does not reach `window.onerror`.
 *
 * @slot - Extra content shown after the controls.
 * @slot avatar - A picture of the assistant: on the floating launcher card and the panel's header (inline: before the button).
 * @slot title - The assistant's name or a call to action; the floating layout's default is "Talk to us".
 *
 * @csspart base - The wrapper of the whole widget (the panel, in the floating layout).
 * @csspart button - The start / cancel / end button.
 * @csspart mute-button - The microphone mute toggle (shown while connected).
 * @csspart sound-button - "Enable sound", shown when the browser blocked playback.
 * @csspart talk-button - Push-to-talk: hold to speak (shown while connected with `push-to-talk`).
 * @csspart interrupt-button - Cuts the assistant off (shown while it speaks).
 * @csspart approval - The prompt of an MCP tool call waiting for the user's approval (role group, named by its question).
 * @csspart approval-arguments - The arguments that tool call would get (JSON, indented).
 * @csspart approve-button - Allows that tool call.
 * @csspart deny-button - Denies it.
 * @csspart status - The status line.
 * @csspart hint - Advice while connected: the network interrupted (the call may still come back), or "use headphones" where the microphone has no echo cancellation.
 * @csspart meters - The two level meters (with `meters`); each is a `meter` part, `input` or `output`.
 * @csspart meter - One level meter; its fill width follows the level.
 * @csspart devices - The device pickers (with `devices`).
 * @csspart transcript - The transcript list (with `transcript`).
 * @csspart message - One transcript entry; also `user`, `assistant`, `notice` or `tool` (a tool call working, done or failed).
 * @csspart text-form - The message form (with `text-input`); it holds the `text-input` and `send-button` parts.
 * @csspart launcher - The corner card of the floating layout (avatar, title, status), round while the panel is open.
 * @csspart launcher-status - The launcher card's status line.
 * @csspart header - The floating panel's header: avatar, title and the `close-button` part.
 * @csspart title - The title (the `title` slot's frame).
 * @csspart avatar - The avatar's frame (the `avatar` slot's), on the launcher card and in the header.
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
 * @cssprop --realtime-voice-panel - Background of the floating panel and the transcript. Default white (dark: #111827).
 * @cssprop --realtime-voice-user - Background of the user's transcript entries. Default #dbeafe (dark: #1e3a8a).
 * @cssprop --realtime-voice-meter - Level meter fill. Default the accent color.
 * @cssprop --realtime-voice-transcript-height - Maximum height of the transcript before it scrolls. Default 16rem.
 * @cssprop --realtime-voice-offset - Distance of the floating launcher from the corner. Default 1.25rem.
 * @cssprop --realtime-voice-listening - State color while the assistant listens (status dot). Default #15803d (dark: #4ade80).
 * @cssprop --realtime-voice-thinking - State color between the user's turn and the answer. Default #7c3aed (dark: #c4b5fd).
 * @cssprop --realtime-voice-connecting - State color while connecting or reconnecting. Default #b45309 (dark: #fcd34d).
 * @cssprop --realtime-voice-visualizer-size - Side of the visualizer's square canvas. Default 3rem (floating: 5rem).
 * @cssprop --realtime-voice-visualizer-user - Visualizer color while idle, listening and the user speaks. Default the listening color.
 * @cssprop --realtime-voice-visualizer-assistant - Visualizer color while the assistant speaks. Default the accent color.
 * @cssprop --realtime-voice-visualizer-thinking - Visualizer color between the user's turn and the answer. Default the thinking color.
 * @cssprop --realtime-voice-visualizer-error - Visualizer color after an error. Default the danger color.
 * @cssprop --realtime-voice-visualizer-muted - Visualizer color while muted. Default the muted text color.
 */
// The interface below only adds typed addEventListener overloads to the class (nothing to implement).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class RealtimeVoice extends LitElement {
  static override styles = styles;

  // Reactive properties without decorators: the decorator helpers cost ~0.4 KB gzip of the bundle budget.
  static override properties = {
    tokenUrl: { attribute: 'token-url' },
    connectUrl: { attribute: 'connect-url' },
    callsUrl: { attribute: 'calls-url' },
    voice: {},
    instructions: {},
    timeout: { type: Number },
    muted: { type: Boolean, reflect: true },
    transcript: { type: Boolean },
    textInput: { type: Boolean, attribute: 'text-input' },
    meters: { type: Boolean },
    visualizer: {},
    devices: { type: Boolean },
    pushToTalk: { type: Boolean, reflect: true, attribute: 'push-to-talk' },
    layout: { reflect: true },
    theme: { reflect: true },
    open: { type: Boolean, reflect: true },
    reconnectAttempts: { type: Number, attribute: 'reconnect-attempts' },
    audioConstraints: { type: Object, attribute: 'audio-constraints' },
    inputDevice: { attribute: 'input-device' },
    outputDevice: { attribute: 'output-device' },
    tools: { attribute: false },
    authorization: { attribute: false },
    credentials: {},
    partsUrl: { attribute: 'parts-url' },
    linkOrigins: { attribute: 'link-origins' },
    persist: {},
    historyTurns: { type: Number, attribute: 'history-turns' },
    historyChars: { type: Number, attribute: 'history-chars' },
    historyMinutes: { type: Number, attribute: 'history-minutes' },
    strings: { attribute: false },
    _lang: { attribute: 'lang' },
    _state: { state: true },
    _activity: { state: true },
    _error: { state: true },
    _announcement: { state: true },
    _reason: { state: true },
    _talking: { state: true },
    _mcp: { state: true },
    // The session settings (declared below), one attribute each.
    ...Object.fromEntries(SETTING_ATTRIBUTES.map((name) => [settingProperty(name), { attribute: name }])),
  };

  /** Token service URL (token mode). It is POSTed `{voice, instructions}` and answers `{value, expires_at, calls_url?}`. */
  tokenUrl = '';

  /** SDP proxy URL (connect mode): the offer goes to your server and the page never sees a token. Wins over `token-url`. */
  connectUrl = '';

  /** Where the offer goes in token mode when the token service names no `calls_url`. Default: OpenAI's `/v1/realtime/calls`. */
  callsUrl = '';

  /**
   * `Authorization` for `token-url` / `connect-url` (never the service's calls URL): a sign-in token,
   * or a function returning one, called before each request so it can be refreshed. A value without
   * a scheme is sent as `Bearer <value>`. A property only: a secret does not belong in an attribute.
   */
  authorization?: string | (() => string | undefined | null | Promise<string | undefined | null>);

  /** `include`: send cookies to a `token-url` / `connect-url` on another origin (a cookie session); default `same-origin`. */
  credentials: '' | 'include' | 'same-origin' | 'omit' = '';

  /** Output voice, e.g. `marin`, `alloy`. Changing it while connected sends `session.update` (accepted until the model has spoken). */
  voice = '';

  /** System prompt. Changing it while connected sends `session.update`. */
  instructions = '';

  /** Deadline in milliseconds for each step of connecting (token, offer, network path). */
  timeout = 15000;

  /** Microphone muted (the call stays open). */
  muted = false;

  /** Shows the live transcript of both sides. */
  transcript = false;

  /** Shows a text box to type messages to the assistant. */
  textInput = false;

  /** Shows input and output level meters (and fires `realtime-levels`). */
  meters = false;

  /**
   * `orb` (a soft shape breathing with both voices), `bars`, or `none` (default): an animated picture of
   * the call drawn from the same levels as `meters`, in its own part.
   */
  visualizer: '' | 'orb' | 'bars' | 'none' = '';

  /** Shows microphone (and, where the browser can, speaker) pickers. */
  devices = false;

  /** Push-to-talk: no voice detection; hold the talk button (or Space on it) to speak, release to send. */
  pushToTalk = false;

  /** `inline` (default), `compact` (one round button) or `floating` (a corner launcher opening a panel). */
  layout: 'inline' | 'compact' | 'floating' = 'inline';

  /**
   * `light` or `dark` decide the palette; `auto` (default): inline and compact take the page's `color-scheme`,
   * the floating launcher and panel follow the user's `prefers-color-scheme`.
   */
  theme: 'auto' | 'light' | 'dark' = 'auto';

  /** Floating layout: the panel is open. */
  open = false;

  /** New calls tried when a call is lost (network) or renewed before the service's session cap; 0 turns it off. */
  reconnectAttempts = 3;

  /** getUserMedia audio constraints over the defaults (all three on), e.g. `{"noiseSuppression": false}` (JSON in the attribute). */
  audioConstraints: MediaTrackConstraints = {};

  /** `deviceId` of the microphone; changing it during a call switches without reconnecting. */
  inputDevice = '';

  /** `deviceId` of the speaker, where the browser supports `setSinkId`. */
  outputDevice = '';

  /** Functions the model may call: `{name, description, parameters (JSON Schema), handler(args)}`; set before start(). */
  tools: RealtimeTool[] = [];

  /**
   * Where this widget's optional parts (transcript, meters, devices, layouts, the call's helpers) load
   * from: a base URL. Default: `RealtimeVoice.partsUrl`, else beside the bundle.
   */
  partsUrl = '';

  /**
   * Origins the assistant's links may point to, space-separated (e.g. `https://example.com https://docs.example.com`):
   * a link to any other origin shows as plain text. Default: none, every link is text.
   */
  linkOrigins = '';

  /**
   * Keeps the conversation across reloads and pages of this origin: `session` (the attribute alone: this
   * tab, sessionStorage) or `local` (localStorage). The transcript shows again as the element upgrades and
   * the next call starts with the earlier turns; start() after stop() goes on with them. Only the turns'
   * text is kept, under the widget's `id` (else its token or connect URL); see `history-minutes`,
   * `clearHistory()`. Without it a reconnection or renewal still goes on with the conversation.
   */
  persist: '' | 'session' | 'local' | null = null;

  /** Turns of the conversation a new call is given back (reconnection, renewal, `persist`); 0: none. */
  historyTurns = 20;

  /** Characters of those turns at most (the oldest are left out first). */
  historyChars = 8000;

  /** With `persist`: a kept conversation is forgotten after this many minutes without a new turn. */
  historyMinutes = 30;

  // Session settings: each is sent with the token / connect request (the server's policy applies) and
  // brought into the call's session by `session.update` where it differs; a change during a call
  // updates the session at once. Unset (the default): the server's or the service's own.

  /** `server_vad`, `semantic_vad` (the model judges when you finished) or `none` (no turn detection: the page commits turns). */
  declare turnDetection?: 'server_vad' | 'semantic_vad' | 'none';
  /** semantic_vad: how soon a turn ends, `low` (waits longest), `medium`, `high` or `auto`. */
  declare eagerness?: 'low' | 'medium' | 'high' | 'auto';
  /** server_vad: how loud speech must be, 0 to 1 (the service's default 0.5). */
  declare vadThreshold?: number | string;
  /** server_vad: milliseconds of silence that end a turn. */
  declare silenceMs?: number | string;
  /** `near_field` (headset), `far_field` (laptop, room) or `off`: the service's noise reduction of the microphone. */
  declare noiseReduction?: 'near_field' | 'far_field' | 'off';
  /** Transcription of the user's speech, e.g. `gpt-4o-mini-transcribe`, `gpt-4o-transcribe`, `whisper-1`. */
  declare transcriptionModel?: string;
  /** The language the user speaks (ISO-639-1, e.g. `de`), for the transcription. */
  declare inputLanguage?: string;
  /** `audio` (spoken answers, the default) or `text` (text-only answers, no audio at all). */
  declare outputModalities?: 'audio' | 'text';
  /** An answer's output tokens at most (1 to 4096, or `inf`); a longer one is cut and ends `incomplete`. */
  declare maxOutputTokens?: number | 'inf' | string;
  /** Reasoning effort of a reasoning model: `minimal`, `low`, `medium`, `high` or `xhigh`. */
  declare reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
  /** A stored prompt's id (`pmpt_…`). */
  declare promptId?: string;
  /** The stored prompt's version. */
  declare promptVersion?: string;
  /** The stored prompt's variables: a JSON object of strings in the attribute, or an object. */
  declare promptVariables?: string | Record<string, string>;

  /**
   * Decides the MCP tool calls the service asks approval for (the operator's MCP servers with
   * `require_approval`): return (or resolve to) `true` to allow, `false` to deny, or `undefined` to
   * ask the user, as without it: an approve / deny prompt naming the server, the tool and the arguments.
   */
  declare mcpApproval?: (request: McpApprovalRequest) => boolean | undefined | Promise<boolean | undefined>;

  /** The base URL of every widget's parts (see `parts-url`); set before the first widget upgrades. */
  static get partsUrl(): string | undefined {
    return partsConfig.url;
  }
  static set partsUrl(url: string | undefined) {
    partsConfig.url = url;
  }

  /** Replaces any of the UI's words (over the built-in language chosen by `lang`). */
  strings: Partial<RealtimeVoiceStrings> = {};

  /** The native `lang` attribute, watched so the words follow it. */
  private _lang = '';

  private _state: RealtimeState = 'idle';
  private _activity: Activity = 'listening';
  private _error?: RealtimeErrorDetail;
  private _announcement = '';
  private _reason?: ReconnectReason;
  private _talking = false;
  /** A call's session has an MCP server (its tools listed): the approvals part is fetched at once. */
  private _mcp = false;

  /** The session behind the element: the whole protocol flow, usable without the UI. */
  /** The session behind the element: the whole protocol flow, usable without the UI. */
  readonly session = new RealtimeSession();
  #internals?: ElementInternals;

  #parts: Partial<Record<ElementPartName, ElementPart>> = {};
  /** Parts asked for: fetched, being fetched, or failed (asked again only when `parts-url` changes). */
  #partsAsked = new Set<ElementPartName>();
  /** Part fetches under way: `updateComplete` waits for them, so it means "rendered with its parts". */
  #partsLoading = new Set<Promise<unknown>>();
  /** What the parts are lent of the element's private side. */
  #host: PartHost = {
    element: this,
    words: () => this.#words,
    dir: () => (this.#dir === nothing ? undefined : this.#dir),
    active: () => isActive(this._state),
    activity: () => this._activity,
    status: () => statusText(this.#words, this.#view),
    report: (code, message, cause) =>
      this.#onError(new RealtimeError(code, message, { cause, fatal: false }).toDetail()),
    emit: (type, detail) => this.#emit(type, detail),
    settings: () => this.#settings,
  };

  constructor() {
    super();
    this.#internals = typeof this.attachInternals === 'function' ? this.attachInternals() : undefined;
    // The first state too: page CSS for :state(idle) applies before anything happens.
    this.#setCustomState(this.session.state);
    this.session.addEventListener('realtime-state', (e) =>
      this.#onState(e.detail.state, e.detail.previous, e.detail.reason),
    );
    this.session.addEventListener('realtime-event', (e) => this.#onServerEvent(e.detail));
    this.session.addEventListener('realtime-error', (e) => this.#onError(e.detail));
    this.session.addEventListener('realtime-usage', (e) => this.#emit('realtime-usage', e.detail));
    this.session.addEventListener('realtime-transcript', (e) => {
      this.#eachPart((part) => part.transcript?.(e.detail));
      this.#emit('realtime-transcript', e.detail);
    });
  }

  /** idle, connecting, connected, reconnecting, closing, closed or error. */
  get state(): RealtimeState {
    return this._state;
  }

  /** The last fatal error, until the next start(). */
  get error(): RealtimeErrorDetail | undefined {
    return this._error;
  }

  /** Microphone level, 0 to 1 (with `meters` or a `visualizer`, while a call runs). */
  get inputLevel(): number {
    return (this.#parts.meters as MetersPart | undefined)?.input ?? 0;
  }

  /** Assistant voice level, 0 to 1 (with `meters` or a `visualizer`, while a call runs). */
  get outputLevel(): number {
    return (this.#parts.meters as MetersPart | undefined)?.output ?? 0;
  }

  /**
   * Starts a conversation. Call it from a click (autoplay rules). Resolves true once connected, false
   * if it failed (see `realtime-error`) or was stopped; while a call is starting or running it
   * returns the same promise.
   */
  start(): Promise<boolean> {
    this.#configure();
    this.session.muted = this.muted;
    this.#eachPart((part) => part.starting?.());
    return this.session.start();
  }

  /** The session's options from the attributes and properties, as they are now. */
  #configure(): void {
    this.session.options = {
      tokenUrl: this.tokenUrl || undefined,
      connectUrl: this.connectUrl || undefined,
      callsUrl: this.callsUrl || undefined,
      authorization: this.authorization,
      credentials: this.credentials || undefined,
      voice: this.voice || undefined,
      instructions: this.instructions || undefined,
      settings: this.#settings,
      timeoutMs: this.timeout > 0 ? this.timeout : undefined,
      audioParent: this.renderRoot,
      audioConstraints: this.audioConstraints,
      inputDeviceId: this.inputDevice || undefined,
      outputDeviceId: this.outputDevice || undefined,
      pushToTalk: this.pushToTalk,
      tools: this.tools,
      reconnectAttempts: this.reconnectAttempts,
      partsUrl: this.partsUrl || undefined,
      historyTurns: this.historyTurns,
      historyChars: this.historyChars,
      keepHistory: this.persist !== null,
      onAuthorization: (value) => this.#eachPart((part) => part.authorized?.(value)),
    };
  }

  /** The session settings set (by attribute or property), by attribute name. */
  get #settings(): PageSettings {
    const self = this as unknown as Record<string, PageSettings[keyof PageSettings] | null>;
    // Unset (undefined, null or an empty attribute): not sent.
    const set = SETTING_ATTRIBUTES.map((name) => [name, self[settingProperty(name)]]).filter(
      ([, v]) => (v ?? '') !== '',
    );
    return Object.fromEntries(set) as PageSettings;
  }

  /** Forgets the conversation: the transcript, what a next call would be given back, and what `persist` kept. */
  clearHistory(): void {
    this.session.clearHistory();
    this.#eachPart((part) => part.historyCleared?.());
    this.requestUpdate();
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

  /** Push-to-talk: opens the microphone (what the talk button does on press). */
  startTalking(): boolean {
    const started = this.session.startTalking();
    this._talking = this.session.talking;
    return started;
  }

  /** Push-to-talk: closes the microphone and sends the turn (what the talk button does on release). */
  stopTalking(): boolean {
    const stopped = this.session.stopTalking();
    this._talking = this.session.talking;
    return stopped;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#eachPart((part) => part.connected?.());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#eachPart((part) => part.disconnected?.());
    // A framework moving the element re-attaches it in the same task: only a real removal ends the call.
    queueMicrotask(() => {
      if (!this.isConnected) this.session.stop();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.#askForParts(changed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    this.#applyToSession(changed);
    this.#eachPart((part) => part.updated?.(changed));
  }

  /** Properties the session follows at once, in a call or not. */
  #applyToSession(changed: PropertyValues<this>): void {
    if (changed.has('muted')) this.session.muted = this.muted;
    if (changed.has('inputDevice') && changed.get('inputDevice') !== undefined)
      void this.session.switchMicrophone(this.inputDevice || undefined);
    if (changed.has('outputDevice') && changed.get('outputDevice') !== undefined)
      void this.session.setOutputDevice(this.outputDevice);
  }

  /** The parts the attributes ask for, fetched once each; the element renders without them meanwhile. */
  #askForParts(changed: PropertyValues<this>): void {
    const wanted: Record<ElementPartName, boolean> = {
      // The visualizer draws the meters part's levels (one AudioContext for both).
      meters: this.meters || this.#visualizing,
      devices: this.devices,
      transcript: this.transcript || this.textInput,
      layouts: this.layout === 'compact' || this.layout === 'floating',
      visualizer: this.#visualizing,
      history: this.persist !== null,
      // The buttons of a running call come with the first call (there is a token and an offer to wait for).
      controls: this._state !== 'idle',
      // The approve / deny prompt comes once a call's session has an MCP server (its tools listed).
      approvals: this._mcp,
    };
    // A new base URL: the parts that failed are worth another try.
    const retry = changed.has('partsUrl');
    for (const name of Object.keys(wanted) as ElementPartName[]) {
      if (retry && !this.#parts[name]) this.#partsAsked.delete(name);
      if (!wanted[name] || this.#partsAsked.has(name)) continue;
      this.#partsAsked.add(name);
      const loading = loadPart(name, PART_FILES[name], this.partsUrl || undefined).then(
        (file) => this.#addPart(name, file.default),
        (error: unknown) => this.#onError(partUnavailable(name, error).toDetail()),
      );
      this.#partsLoading.add(loading);
      void loading.then(() => this.#partsLoading.delete(loading));
    }
  }

  /** Resolves once the element has rendered, with every part it asked for in (or failed). */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    while (this.#partsLoading.size) {
      await Promise.all(this.#partsLoading);
      done = await super.getUpdateComplete();
    }
    return done;
  }

  #addPart(name: ElementPartName, make: PartFactory): void {
    if (this.#parts[name]) return;
    const part = make({ html, nothing, css }, this.#host);
    this.#parts[name] = part;
    const root = this.renderRoot as ShadowRoot;
    const sheet = part.styles?.styleSheet;
    if (sheet && root.adoptedStyleSheets) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    this.requestUpdate();
  }

  #eachPart(run: (part: ElementPart) => void): void {
    for (const part of Object.values(this.#parts)) run(part!);
  }

  override render() {
    const s = this.#words;
    const panel = this.#renderPanel(s);
    const layouts = this.#parts.layouts;
    return layouts && this.layout !== 'inline' ? layouts.render!(s, panel) : panel;
  }

  #renderPanel(s: Words) {
    const st = this._state;
    const busy = st === 'connecting' || st === 'reconnecting';
    const live = st === 'connected';
    // Compact without its part (not loaded yet, or it failed): the inline layout, which works.
    const compact = this.layout === 'compact' && !!this.#parts.layouts;
    const floating = this.layout === 'floating' && !!this.#parts.layouts;
    const label = live ? s.stop : busy ? s.cancel : st === 'error' ? s.retry : s.start;
    return html`
      <div part="base" class="base" data-state=${st} data-activity=${live ? this._activity : nothing} dir=${this.#dir} role=${floating ? 'dialog' : nothing} aria-label=${floating ? s.open : nothing} @keydown=${this.#onPanelKey}>
        ${this.#parts.layouts?.header?.(s) ?? html`<slot name="avatar"></slot><slot name="title"></slot>`}
        ${this.#parts.visualizer?.render?.(s, undefined) ?? nothing}
        <button part="button" class="main" type="button" aria-describedby="status" aria-label=${compact ? label : nothing} ?disabled=${st === 'closing'} @click=${this.#onMainClick} @pointerenter=${this.#warmUp} @focus=${this.#warmUp}>
          <span class="dot" aria-hidden="true"></span><span class=${compact ? 'visually-hidden' : ''}>${busy && !compact ? `${s.connecting} ${s.cancel}` : label}</span>
        </button>
        ${this.#parts.controls?.render?.(s, undefined) ?? nothing}
        ${this.#parts.meters?.render?.(s, undefined) ?? nothing}
        <p part="status" id="status" dir="auto" class="status ${compact ? 'visually-hidden' : ''}" data-tone=${st === 'error' || this.#insecure ? 'error' : 'info'}>${statusText(s, this.#view)}</p>
        ${this.#parts.controls?.hint?.(s) ?? nothing}
        ${PANEL_PARTS.slice(1).map((name) => this.#parts[name]?.render?.(s, undefined) ?? nothing)}
        <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this._announcement}</div>
        <slot></slot>
      </div>
    `;
  }

  /** What the status words depend on, as it is now. */
  get #view() {
    return {
      state: this._state,
      reason: this._reason,
      error: this._error,
      activity: this._activity,
      audioBlocked: this.session.audioBlocked,
      muted: this.muted,
      talking: this._talking,
      pushToTalk: this.pushToTalk,
      insecure: this.#insecure,
      english: stringsFor(this.#language) === en,
    };
  }

  /** The element's own `dir`, else right to left for a right-to-left language; otherwise inherited. */
  get #dir() {
    return this.dir || (isRightToLeft(this.#language) ? 'rtl' : nothing);
  }

  /** The language in effect: the element's `lang`, an ancestor's, the document's, then the browser's. */
  get #language(): string {
    return this._lang || this.closest('[lang]')?.getAttribute('lang') || globalThis.navigator?.language || 'en';
  }

  /** The built-in words of the language with the page's replacements. */
  get #words(): Words {
    const base = stringsFor(this.#language);
    // English until the language's file is in; then the element renders again in it.
    if (base === en) void loadLanguage(this.#language).then((loaded) => loaded && this.requestUpdate());
    return { ...base, ...this.strings, errors: { ...base.errors, ...this.strings.errors } };
  }

  get #visualizing(): boolean {
    return this.visualizer === 'orb' || this.visualizer === 'bars';
  }

  get #insecure(): boolean {
    return globalThis.isSecureContext === false && !isActive(this._state) && this._state !== 'error';
  }

  /** Pointer over, or focus on, the start button: the token is fetched ahead (token mode; see RealtimeSession.warmUp). */
  #warmUp = () => {
    if (isActive(this._state)) return;
    this.#configure();
    this.session.warmUp();
  };

  #onMainClick = () => {
    if (isActive(this._state)) this.stop();
    else void this.start();
  };

  #onPanelKey = (event: KeyboardEvent) => this.#parts.layouts?.keydown?.(event);

  #onState(next: RealtimeState, previous: RealtimeState, reason?: ReconnectReason): void {
    this._state = next;
    if (next === 'connecting') {
      this._error = undefined;
      this._activity = 'listening';
    }
    if (next === 'reconnecting') {
      if (reason) this._reason = reason;
      this._activity = 'listening';
      this._talking = false;
    }
    this.#eachPart((part) => part.state?.(next, previous));
    // Said once a call is up: the browser gave its microphone no echo cancellation (the controls part shows the hint).
    const view = { ...this.#view, noEchoCancellation: next === 'connected' && this.session.echoCancelled === false };
    const said = stateAnnouncement(this.#words, next, previous, view);
    if (said) this._announcement = said;
    this.#setCustomState(next);
    this.#emit('realtime-state', reason ? { state: next, previous, reason } : { state: next, previous });
  }

  #onError(detail: RealtimeErrorDetail): void {
    if (detail.fatal) this._error = detail;
    const s = this.#words;
    this._announcement = `${s.error}: ${errorText(s, detail, this.#view.english)}`;
    this.#emit('realtime-error', detail);
  }

  #onServerEvent(event: RealtimeServerEvent): void {
    this._activity = activityAfter(event.type, this._activity);
    // The service lists an MCP server's tools as the session starts, long before the model could ask to use one.
    if (event.type.startsWith('mcp_list')) this._mcp = true;
    this.#eachPart((part) => part.serverEvent?.(event));
    // The server's `error` would reach window.onerror (and error trackers) if it bubbled.
    const bubbles = event.type !== 'error';
    this.dispatchEvent(new CustomEvent(event.type, { detail: event, bubbles, composed: bubbles }));
    this.#emit('realtime-event', event);
  }

  #emit<K extends keyof RealtimeVoiceOwnEventMap & string>(
    type: K,
    detail: RealtimeVoiceOwnEventMap[K]['detail'],
  ): void {
    emit<RealtimeVoiceOwnEventMap, K>(this, type, detail as never, true);
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

// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface RealtimeVoice {
  addEventListener<K extends keyof RealtimeVoiceEventMap>(
    type: K,
    listener: (this: RealtimeVoice, event: RealtimeVoiceEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof RealtimeVoiceEventMap>(
    type: K,
    listener: (this: RealtimeVoice, event: RealtimeVoiceEventMap[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | EventListenerOptions,
  ): void;
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
    'realtime-levels': RealtimeVoiceEventMap['realtime-levels'];
  }
}
