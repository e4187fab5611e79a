/**
 * Session settings the operator sets for every call (`REALTIME_TRANSCRIPTION_MODEL`, …), the
 * page's own choices for the same settings, and which of them the page may not change
 * (`REALTIME_LOCKED`). Both sides use one flat vocabulary (the variable's name without
 * `REALTIME_`, in lower case), validated by one schema, and become GA session fields
 * (`audio.input.transcription`, `audio.input.turn_detection`, …) only at the end.
 */
import { z } from 'zod';

const TURN_DETECTION = ['server_vad', 'semantic_vad', 'none'] as const;
const EAGERNESS = ['low', 'medium', 'high', 'auto'] as const;
const NOISE_REDUCTION = ['near_field', 'far_field', 'off'] as const;
/** RealtimeReasoningEffort in the OpenAPI description. */
const REASONING_EFFORT = ['minimal', 'low', 'medium', 'high', 'xhigh'] as const;
/** Voice answers, or text-only answers (no audio at all). */
const OUTPUT_MODALITIES = ['audio', 'text'] as const;
/** A stored prompt's variables: a few short strings (the page's own words, bounded). */
const MAX_PROMPT_VARIABLES = 20;

const name = z
  .string()
  .trim()
  .regex(/^[\w.:-]{1,128}$/, 'must be a name (letters, digits, . _ : -, up to 128)');
const list = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** One setting each: the same checks for the environment and for a page's request. */
export const SETTING_SCHEMAS = {
  transcription_model: name,
  transcription_language: z
    .string()
    .trim()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$/, 'must be an ISO-639-1 language code such as en or de'),
  turn_detection: z.enum(TURN_DETECTION, { error: list(TURN_DETECTION) }),
  vad_eagerness: z.enum(EAGERNESS, { error: list(EAGERNESS) }),
  vad_silence_ms: z.coerce
    .number({ error: 'must be a whole number of milliseconds' })
    .int('must be a whole number of milliseconds')
    .min(0, 'must be 0 or more')
    .max(10_000, 'must be at most 10000'),
  noise_reduction: z.enum(NOISE_REDUCTION, { error: list(NOISE_REDUCTION) }),
  reasoning_effort: z.enum(REASONING_EFFORT, { error: list(REASONING_EFFORT) }),
  prompt_id: name,
  prompt_version: z
    .string()
    .trim()
    .regex(/^[\w.-]{1,32}$/, 'must be a version such as 3'),
  vad_threshold: z.coerce
    .number({ error: 'must be a number from 0 to 1' })
    .min(0, 'must be a number from 0 to 1')
    .max(1, 'must be a number from 0 to 1'),
  output_modalities: z.enum(OUTPUT_MODALITIES, { error: list(OUTPUT_MODALITIES) }),
  max_output_tokens: z.union([
    z.literal('inf'),
    z.coerce
      .number({ error: 'must be a whole number from 1 to 4096, or inf' })
      .int('must be a whole number from 1 to 4096, or inf')
      .min(1, 'must be a whole number from 1 to 4096, or inf')
      .max(4096, 'must be a whole number from 1 to 4096, or inf'),
  ]),
  // JSON text (an attribute, a form field, an environment variable) or, in a JSON body, the object itself.
  prompt_variables: z.preprocess(
    (value) => {
      if (typeof value !== 'string') return value;
      try {
        return JSON.parse(value) as unknown;
      } catch {
        return value;
      }
    },
    z
      .record(z.string().regex(/^\w{1,64}$/), z.string().max(2000), {
        error: 'must be a JSON object of names (letters, digits, _) and strings',
      })
      .refine(
        (v) => Object.keys(v).length <= MAX_PROMPT_VARIABLES,
        `may name at most ${MAX_PROMPT_VARIABLES} variables`,
      ),
  ),
} as const;

export type SettingName = keyof typeof SETTING_SCHEMAS;
export type SessionSettings = { -readonly [K in SettingName]?: z.output<(typeof SETTING_SCHEMAS)[K]> };
export const SETTING_NAMES = Object.keys(SETTING_SCHEMAS) as SettingName[];
/** What REALTIME_LOCKED may name: every setting, and the two the page always could send. */
export const LOCKABLE = ['voice', 'instructions', ...SETTING_NAMES] as const;
export type LockableField = (typeof LOCKABLE)[number];

/** The environment's variable for a setting: `turn_detection` → `REALTIME_TURN_DETECTION`. */
export const envName = (setting: SettingName) => `REALTIME_${setting.toUpperCase()}`;

export class SettingError extends Error {
  constructor(
    /** The setting at fault (its env name at start-up, its field name in a request). */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** Parses each setting present; `label` names a setting in messages (the env variable, or the field). */
export function parseSettings(
  input: Record<string, unknown>,
  label: (setting: SettingName) => string,
  /** false for a page's settings: they are checked together with the operator's, once combined. */
  checkTogether = true,
): SessionSettings {
  const out: Record<string, unknown> = {};
  for (const setting of SETTING_NAMES) {
    const raw = input[setting];
    if (raw === undefined || raw === '') continue;
    const result = SETTING_SCHEMAS[setting].safeParse(raw);
    if (!result.success) throw new SettingError(label(setting), result.error.issues[0]!.message);
    out[setting] = result.data;
  }
  const settings = out as SessionSettings;
  if (checkTogether) checkCombination(settings, label);
  return settings;
}

/** Settings that only mean something together: refused rather than silently dropped. */
function checkCombination(s: SessionSettings, label: (setting: SettingName) => string): void {
  if (s.vad_eagerness && s.turn_detection && s.turn_detection !== 'semantic_vad') {
    throw new SettingError(label('vad_eagerness'), `eagerness applies to semantic_vad only, not ${s.turn_detection}`);
  }
  if (s.vad_silence_ms !== undefined && s.turn_detection && s.turn_detection !== 'server_vad') {
    throw new SettingError(
      label('vad_silence_ms'),
      `a silence length applies to server_vad only, not ${s.turn_detection}`,
    );
  }
  if (s.vad_threshold !== undefined && s.turn_detection && s.turn_detection !== 'server_vad') {
    throw new SettingError(label('vad_threshold'), `a threshold applies to server_vad only, not ${s.turn_detection}`);
  }
  if (s.vad_eagerness && s.vad_threshold !== undefined) {
    throw new SettingError(
      label('vad_threshold'),
      'a threshold (server_vad) and an eagerness (semantic_vad) exclude each other',
    );
  }
  if (s.vad_eagerness && s.vad_silence_ms !== undefined) {
    throw new SettingError(
      label('vad_silence_ms'),
      'a silence length (server_vad) and an eagerness (semantic_vad) exclude each other',
    );
  }
  if (s.transcription_language && !s.transcription_model) {
    throw new SettingError(
      label('transcription_language'),
      `needs a transcription model too (${label('transcription_model')})`,
    );
  }
  if (s.prompt_version && !s.prompt_id)
    throw new SettingError(label('prompt_version'), `needs a stored prompt id too (${label('prompt_id')})`);
  if (s.prompt_variables && !s.prompt_id)
    throw new SettingError(label('prompt_variables'), `needs a stored prompt id too (${label('prompt_id')})`);
}

/** REALTIME_LOCKED: comma-separated field names, each one LOCKABLE knows. */
export function parseLocked(value: string | undefined): Set<LockableField> {
  const names = (value ?? '')
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter(Boolean);
  for (const n of names) {
    if (!(LOCKABLE as readonly string[]).includes(n))
      throw new SettingError('REALTIME_LOCKED', `unknown field "${n.slice(0, 40)}": use ${LOCKABLE.join(', ')}`);
  }
  return new Set(names as LockableField[]);
}

/**
 * The operator's settings with the page's over them, except locked ones. A page that changes the
 * kind of turn detection drops the operator's parameters of the other kind (an eagerness means
 * nothing to server_vad). Returns the fields the page sent that the lock kept out.
 */
export function combine(
  operator: SessionSettings,
  page: SessionSettings,
  locked: ReadonlySet<LockableField>,
): { settings: SessionSettings; ignored: LockableField[] } {
  const settings: SessionSettings = { ...operator };
  const ignored: LockableField[] = [];
  for (const setting of SETTING_NAMES) {
    if (page[setting] === undefined) continue;
    if (locked.has(setting)) ignored.push(setting);
    else (settings as Record<string, unknown>)[setting] = page[setting];
  }
  // A page's eagerness means semantic_vad, its silence or threshold server_vad: over the operator's kind, unless locked.
  const implied =
    page.vad_eagerness !== undefined
      ? 'semantic_vad'
      : page.vad_silence_ms !== undefined || page.vad_threshold !== undefined
        ? 'server_vad'
        : undefined;
  if (page.turn_detection === undefined && implied && settings.turn_detection && !locked.has('turn_detection'))
    settings.turn_detection = implied;
  const kind = settings.turn_detection;
  if (kind && kind !== 'semantic_vad' && page.vad_eagerness === undefined) delete settings.vad_eagerness;
  if (kind && kind !== 'server_vad' && page.vad_silence_ms === undefined) delete settings.vad_silence_ms;
  if (kind && kind !== 'server_vad' && page.vad_threshold === undefined) delete settings.vad_threshold;
  if (page.vad_eagerness !== undefined && !locked.has('vad_eagerness')) {
    delete settings.vad_silence_ms;
    delete settings.vad_threshold;
  }
  const serverVadParameter =
    (page.vad_silence_ms !== undefined && !locked.has('vad_silence_ms')) ||
    (page.vad_threshold !== undefined && !locked.has('vad_threshold'));
  if (serverVadParameter) delete settings.vad_eagerness;
  checkCombination(settings, (s) => s);
  return { settings, ignored };
}

/** The GA session fields for these settings (deep-merged over `base`, the server's other defaults). */
export function toGaSession(settings: SessionSettings, base: Record<string, unknown> = {}): Record<string, unknown> {
  /** The part of a GA session this function writes: audio.input's fields, reasoning, prompt. */
  type Input = Record<string, unknown> & { turn_detection?: { type?: string } | null };
  type Session = Record<string, unknown> & { audio?: { input?: Input } };
  const session = structuredClone(base) as Session;
  const input = (): Input => ((session.audio ??= {}).input ??= {});
  if (settings.transcription_model) {
    input().transcription = {
      model: settings.transcription_model,
      ...(settings.transcription_language ? { language: settings.transcription_language } : {}),
    };
  }
  const vad =
    settings.turn_detection ??
    (settings.vad_eagerness
      ? 'semantic_vad'
      : settings.vad_silence_ms !== undefined || settings.vad_threshold !== undefined
        ? 'server_vad'
        : undefined);
  if (vad === 'none') input().turn_detection = null;
  else if (vad) {
    const previous = input().turn_detection?.type === vad ? input().turn_detection : {};
    input().turn_detection = {
      ...previous,
      type: vad,
      ...(vad === 'semantic_vad' && settings.vad_eagerness ? { eagerness: settings.vad_eagerness } : {}),
      ...(vad === 'server_vad' && settings.vad_silence_ms !== undefined
        ? { silence_duration_ms: settings.vad_silence_ms }
        : {}),
      ...(vad === 'server_vad' && settings.vad_threshold !== undefined ? { threshold: settings.vad_threshold } : {}),
    };
  }
  if (settings.output_modalities) session.output_modalities = [settings.output_modalities];
  if (settings.max_output_tokens !== undefined) session.max_output_tokens = settings.max_output_tokens;
  if (settings.noise_reduction)
    input().noise_reduction = settings.noise_reduction === 'off' ? null : { type: settings.noise_reduction };
  if (settings.reasoning_effort) session.reasoning = { effort: settings.reasoning_effort };
  if (settings.prompt_id)
    session.prompt = {
      id: settings.prompt_id,
      ...(settings.prompt_version ? { version: settings.prompt_version } : {}),
      ...(settings.prompt_variables ? { variables: settings.prompt_variables } : {}),
    };
  return session;
}
