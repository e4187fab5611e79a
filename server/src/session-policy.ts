/**
 * The server's session policy: what a page may choose for its session and
 * what the operator keeps. The voice from the known list, instructions by
 * BROWSER_INSTRUCTIONS (accept / append / ignore) within the length cap,
 * session settings as session-defaults allows; locked fields keep the
 * operator's values, and the page is told which it did not get
 * (X-Realtime-Locked).
 */
import type { Response } from 'express';
import { z } from 'zod';
import { VOICES, type ServerConfig } from './config.js';
import { HttpError } from './errors.js';
import type { SessionRequest } from './providers/provider.js';
import { SETTING_NAMES, SettingError, combine, parseSettings, toGaSession } from './session-defaults.js';

/** What the browser may send. Strict: unknown keys (including `__proto__`) are refused. */
export const preferencesSchema = z.strictObject({
  voice: z.enum(VOICES).optional(),
  instructions: z.string().optional(),
  // The session settings a page may choose (checked by session-defaults' own schemas, in sessionFor).
  ...Object.fromEntries(SETTING_NAMES.map((name) => [name, z.union([z.string(), z.number()]).optional()])),
  // The one setting that is an object in a JSON body (also taken as JSON text, as a form field sends it).
  prompt_variables: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});
export const connectJsonSchema = preferencesSchema.extend({ sdp: z.string() });

/** The body, checked against `schema`; a refusal names the field (400). */
export function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
  if (field === 'voice') throw new HttpError(400, 'invalid_voice', `Unknown voice. Use one of: ${VOICES.join(', ')}.`);
  if (issue.code === 'unrecognized_keys')
    throw new HttpError(
      400,
      'unknown_field',
      `Unknown field "${String(field).slice(0, 40)}": send only voice, instructions, ${SETTING_NAMES.join(', ')} (and sdp to /connect).`,
    );
  throw new HttpError(400, `invalid_${field || 'body'}`, `${field || 'The body'} is not valid: ${issue.message}.`);
}

/** The server's session policy: the browser may choose a known voice and, by configuration, instructions. */
export function sessionFor(
  input: { voice?: string; instructions?: string } & Record<string, unknown>,
  cfg: ServerConfig,
  res: Response,
): SessionRequest {
  let combined;
  try {
    // A page's settings may clash with each other, or with a locked setting of the operator's.
    combined = combine(
      cfg.settings,
      parseSettings(input, (setting) => setting, false),
      cfg.locked,
    );
  } catch (error) {
    if (error instanceof SettingError) throw new HttpError(400, `invalid_${error.field}`, `${error.message}.`);
    throw error;
  }
  const { settings, ignored } = combined;
  const fromBrowser = cfg.locked.has('instructions') ? undefined : input.instructions?.trim();
  if (input.voice && cfg.locked.has('voice')) ignored.unshift('voice');
  if (input.instructions?.trim() && cfg.locked.has('instructions')) ignored.unshift('instructions');
  // Not an error: the call goes ahead with the operator's values; the page can see what it did not get.
  if (ignored.length) res.set('X-Realtime-Locked', ignored.join(', '));
  if (fromBrowser && fromBrowser.length > cfg.maxInstructionsLength) {
    throw new HttpError(
      400,
      'instructions_too_long',
      `instructions may be at most ${cfg.maxInstructionsLength} characters.`,
    );
  }
  let instructions = cfg.instructions;
  if (fromBrowser && cfg.browserInstructions === 'accept') instructions = fromBrowser;
  if (fromBrowser && cfg.browserInstructions === 'append')
    instructions = [cfg.instructions, fromBrowser].filter(Boolean).join('\n\n');
  const voice = cfg.locked.has('voice') ? cfg.defaultVoice : (input.voice ?? cfg.defaultVoice);
  const extra = toGaSession(settings, cfg.sessionDefaults);
  // The operator's MCP servers, beside any tools of the server's defaults; the page's function tools come by session.update.
  if (cfg.mcpServers.length) extra.tools = [...((extra.tools as unknown[] | undefined) ?? []), ...cfg.mcpServers];
  return { voice, instructions, extra };
}
