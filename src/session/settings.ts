/**
 * The page's session settings (attributes such as `turn-detection`) as GA session fields, and what
 * of them a call's session still lacks. A server that applied them (the reference server does, from
 * the request) created the session with them, so nothing is sent; a server that did not (one that
 * takes only voice and instructions, the page's own signaling), or a change during the call, gets
 * the difference as one `session.update`. Fields the page's server locked (`X-Realtime-Locked`) are
 * never sent; the page is told of them once.
 *
 * Part of the call part: it imports nothing at run time from the core (types only).
 */
import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent, ServerErrorEvent, SessionCreatedEvent } from '../events/server-events.js';
import type { RealtimeSessionConfig } from '../events/session-config.js';
import type { PageSettings, SettingAttribute } from '../events/session-settings.js';
import type { RealtimeError } from './errors.js';
import type { SessionView } from './session-view.js';

type Session = RealtimeSessionConfig & { audio?: { input?: Record<string, unknown> } };
type Json = Record<string, unknown>;

/** What the settings need of the session. */
export type SettingsHost = Pick<SessionView, 'options' | 'locked' | 'send' | 'report'>;

/** The core's error class, handed in: a part imports nothing of the core at run time. */
type ErrorClass = new (
  code: 'setting-locked' | 'invalid-event',
  message: string,
  o: { cause?: unknown; fatal: false },
) => RealtimeError;

/**
 * Follows the call's session (`session.created`, `session.updated`) and sends the `session.update`
 * that brings the page's settings into it, when one is needed: once the session is created, and at
 * each change of the page's settings during the call. One for a RealtimeSession: each call's
 * `session.created` replaces the session it compares with.
 */
export class SettingsSync {
  /** The session as the service last said it is. */
  #confirmed?: Json;
  /**
   * Updates sent and not answered yet, oldest first. One stays here until a `session.updated` shows it (or
   * a later one) in place, or an `error` names its `event_id`: an answer to another update (the tools', the
   * page's own) or to an earlier one must not undo it, or it would be sent again.
   */
  #pending: { id: string; session: Json }[] = [];
  /** Numbers the updates' `event_id`s (`rv_settings_N`). */
  #sent = 0;
  /**
   * The value the service refused for a field, as JSON (`turn_detection` → `{…}`): not sent again while the
   * page keeps it, or every later change would go with it and be refused whole. Another value takes its place.
   */
  readonly #refused = new Map<string, string>();

  /** Locked settings the page was told of, across the calls of a session (told once). */
  readonly #told = new Set<string>();
  /** The last prompt-variables text that was not JSON (reported once). */
  #badVariables?: string;

  constructor(
    private readonly host: SettingsHost,
    /** A setting's request field: the name the server's lock (`X-Realtime-Locked`) uses. */
    private readonly fieldOf: (name: SettingAttribute) => string,
    private readonly Failure: ErrorClass,
  ) {}

  /** Keeps the session the service says the call has; a new session gets the page's settings. */
  handle(event: RealtimeServerEvent): void {
    const { type } = event;
    if (type === 'error') {
      const error = (event as ServerErrorEvent).error;
      const at = this.#pending.findIndex((update) => update.id === error?.event_id);
      if (at < 0) return;
      this.#refuse(this.#pending.splice(at, 1)[0]!.session, error.param);
      // The service refuses an update whole: what it did not object to goes again, without what it did.
      return this.sync();
    }
    if (type !== 'session.created' && type !== 'session.updated') return;
    const session = (event as SessionCreatedEvent).session as Json;
    // It answers updates in turn: the last one it shows in place was taken, and every one before it answered.
    let taken = -1;
    this.#pending.forEach((update, at) => same(update.session, session) && (taken = at));
    this.#pending.splice(0, type === 'session.created' ? Infinity : taken + 1);
    this.#confirmed = session;
    if (type === 'session.created') this.sync(true);
  }

  /** The session as the service said it, with the updates on their way put in: what the page's settings are compared with. */
  get #session(): Session | undefined {
    return (
      this.#confirmed &&
      (this.#pending.reduce((session, update) => merge(session, update.session), this.#confirmed) as Session)
    );
  }

  /**
   * Keeps what the service refused of an update: the field its `param` names
   * (`session.audio.input.turn_detection.threshold`), or the whole update when it names none of it.
   * Fields go by their own names: the audio input's and the session's do not overlap.
   */
  #refuse({ audio, ...top }: Json, param?: string | null): void {
    const fields = Object.entries({ ...(audio as { input?: Json } | undefined)?.input, ...top });
    const named = fields.filter(([key]) => `${param}.`.includes(`.${key}.`));
    for (const [key, value] of named.length ? named : fields) this.#refused.set(key, JSON.stringify(value));
  }

  /** A value to send: not the one the service refused (once the page sets another, that one goes, and so on). */
  #fresh(key: string, value: unknown): boolean {
    if (this.#refused.get(key) === JSON.stringify(value)) return false;
    this.#refused.delete(key);
    return true;
  }

  /**
   * Sends what the call's session lacks of the page's settings, leaving out the ones the server locked.
   * `first`: the session was just created, and a locked setting the page set is reported (once, not fatal).
   */
  sync(first = false): void {
    const { host, Failure } = this;
    const o = host.options();
    if (!this.#session || !o.settings) return;
    const locked = host.locked();
    const page: PageSettings = {};
    const kept: string[] = [];
    for (const [name, value] of Object.entries(o.settings) as [SettingAttribute, PageSettings[SettingAttribute]][]) {
      if (locked.includes(this.fieldOf(name))) kept.push(name);
      else page[name] = value;
    }
    const news = first ? kept.filter((name) => !this.#told.has(name)) : [];
    for (const name of news) this.#told.add(name);
    if (news.length) {
      const message = `The page's server keeps its own ${news.join(', ')} for this conversation (REALTIME_LOCKED): the page's value is not used.`;
      host.report(new Failure('setting-locked', message, { fatal: false }));
    }
    const variables = page['prompt-variables'];
    if (typeof variables === 'string') {
      try {
        page['prompt-variables'] = JSON.parse(variables) as Record<string, string>;
      } catch (error) {
        delete page['prompt-variables'];
        // Told once for each bad value, not at every render of the call.
        if (this.#badVariables !== variables) {
          const message = `prompt-variables is not a JSON object (${(error as Error).message}): the stored prompt's variables were not changed.`;
          host.report(new Failure('invalid-event', message, { cause: error, fatal: false }));
        }
        this.#badVariables = variables;
      }
    }
    const update = this.update(page, !!o.pushToTalk);
    if (update) host.send(update);
  }

  /**
   * The update for the settings the session differs in (undefined: none). With push-to-talk the
   * page's turn detection waits: the talk button owns it (none) while it is on.
   */
  update(page: PageSettings, pushToTalk: boolean): RealtimeClientEvent | undefined {
    const current = this.#session;
    if (!current) return undefined;
    const wanted = gaFields(page, current, pushToTalk);
    const session: Json = {};
    const input: Json = {};
    for (const [key, value] of Object.entries(wanted.input))
      if (!same(value, current.audio?.input?.[key]) && this.#fresh(key, value)) input[key] = value;
    for (const [key, value] of Object.entries(wanted.top))
      if (!same(value, (current as Json)[key]) && this.#fresh(key, value)) session[key] = value;
    if (Object.keys(input).length) session.audio = { input };
    if (!Object.keys(session).length) return undefined;
    // Sent as the page wants it: the service's session.updated then says it took it (or an error why not).
    const id = `rv_settings_${++this.#sent}`;
    this.#pending.push({ id, session });
    return { type: 'session.update', event_id: id, session: { type: 'realtime', ...session } } as RealtimeClientEvent;
  }
}

/** The GA fields the page's settings ask for, completed from the session where the GA replaces a whole object. */
function gaFields(s: PageSettings, current: Session, pushToTalk: boolean): { input: Json; top: Json } {
  const input: Json = {};
  const top: Json = {};
  const now = current.audio?.input ?? {};
  const kind =
    s['turn-detection'] ??
    (s.eagerness !== undefined
      ? 'semantic_vad'
      : s['silence-ms'] !== undefined || s['vad-threshold'] !== undefined
        ? 'server_vad'
        : undefined);
  if (kind && !pushToTalk) {
    if (kind === 'none') input.turn_detection = null;
    else {
      const previous = now.turn_detection as Json | null | undefined;
      const turn: Json = { ...(previous?.type === kind ? previous : {}), type: kind };
      if (kind === 'semantic_vad' && s.eagerness !== undefined) turn.eagerness = s.eagerness;
      if (kind === 'server_vad' && s['silence-ms'] !== undefined) turn.silence_duration_ms = Number(s['silence-ms']);
      if (kind === 'server_vad' && s['vad-threshold'] !== undefined) turn.threshold = Number(s['vad-threshold']);
      input.turn_detection = turn;
    }
  }
  const noise = s['noise-reduction'];
  if (noise !== undefined) input.noise_reduction = noise === 'off' ? null : { type: noise };
  if (s['transcription-model'] !== undefined || s['input-language'] !== undefined) {
    const previous = (now.transcription as Json | null | undefined) ?? {};
    input.transcription = {
      ...previous,
      ...(s['transcription-model'] !== undefined ? { model: s['transcription-model'] } : {}),
      ...(s['input-language'] !== undefined ? { language: s['input-language'] } : {}),
    };
  }
  if (s['output-modalities'] !== undefined) top.output_modalities = [s['output-modalities']];
  const max = s['max-output-tokens'];
  if (max !== undefined) top.max_output_tokens = max === 'inf' ? 'inf' : Number(max);
  if (s['reasoning-effort'] !== undefined) top.reasoning = { ...current.reasoning, effort: s['reasoning-effort'] };
  const id = s['prompt-id'] ?? current.prompt?.id;
  if (id && (s['prompt-id'] ?? s['prompt-version'] ?? s['prompt-variables']) !== undefined) {
    const variables = s['prompt-variables'];
    top.prompt = {
      ...(current.prompt?.id === id ? current.prompt : {}),
      id,
      ...(s['prompt-version'] !== undefined ? { version: String(s['prompt-version']) } : {}),
      ...(variables !== undefined
        ? { variables: typeof variables === 'string' ? JSON.parse(variables) : variables }
        : {}),
    };
  }
  return { input, top };
}

/** The wanted value is in place: equal, or an object whose every wanted field is (the service adds its defaults). */
function same(wanted: unknown, current: unknown): boolean {
  if (wanted === null || typeof wanted !== 'object') return wanted === current;
  if (current === null || typeof current !== 'object') return false;
  if (Array.isArray(wanted)) return JSON.stringify(wanted) === JSON.stringify(current);
  return Object.entries(wanted).every(([key, value]) => same(value, (current as Json)[key]));
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && was && typeof was === 'object'
        ? merge(was as Json, value as Json)
        : value;
  }
  return out;
}
