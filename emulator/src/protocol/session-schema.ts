/**
 * The GA session object, as the emulator validates `session.update` and
 * `client_secrets` bodies: strict (an unknown field is an error, as on the
 * service, e.g. the beta `modalities`), with the documented ranges.
 * Written for this project from the protocol reference; the OpenAPI
 * description in shared/protocol is what the tests compare it against.
 */
import { z } from 'zod';

export const VOICES = [
  'alloy',
  'ash',
  'ballad',
  'coral',
  'echo',
  'sage',
  'shimmer',
  'verse',
  'marin',
  'cedar',
] as const;

const audioFormat = z.union([
  z.strictObject({ type: z.literal('audio/pcm'), rate: z.literal(24000).optional() }),
  z.strictObject({ type: z.literal('audio/pcmu') }),
  z.strictObject({ type: z.literal('audio/pcma') }),
]);

export const serverVad = z.strictObject({
  type: z.literal('server_vad'),
  threshold: z.number().min(0).max(1).optional(),
  prefix_padding_ms: z.number().int().min(0).max(10_000).optional(),
  silence_duration_ms: z.number().int().min(0).max(10_000).optional(),
  create_response: z.boolean().optional(),
  interrupt_response: z.boolean().optional(),
  idle_timeout_ms: z.number().int().min(5_000).max(30_000).nullable().optional(),
});

export const semanticVad = z.strictObject({
  type: z.literal('semantic_vad'),
  eagerness: z.enum(['low', 'medium', 'high', 'auto']).optional(),
  create_response: z.boolean().optional(),
  interrupt_response: z.boolean().optional(),
});

/** The description requires only what it must: a function tool's name too is optional there. */
export const functionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string().min(1).max(64).optional(),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

const mcpToolFilter = z.strictObject({ tool_names: z.array(z.string()).optional(), read_only: z.boolean().optional() });

export const mcpTool = z.strictObject({
  type: z.literal('mcp'),
  server_label: z.string().min(1),
  server_url: z.url().optional(),
  connector_id: z
    .enum([
      'connector_dropbox',
      'connector_gmail',
      'connector_googlecalendar',
      'connector_googledrive',
      'connector_microsoftteams',
      'connector_outlookcalendar',
      'connector_outlookemail',
      'connector_sharepoint',
    ])
    .optional(),
  tunnel_id: z
    .string()
    .regex(/^tunnel_[a-z0-9]{32}$/)
    .optional(),
  authorization: z.string().optional(),
  server_description: z.string().optional(),
  headers: z.record(z.string(), z.string()).nullable().optional(),
  allowed_tools: z
    .union([z.array(z.string()), mcpToolFilter])
    .nullable()
    .optional(),
  allowed_callers: z
    .array(z.enum(['direct', 'programmatic']))
    .min(1)
    .nullable()
    .optional(),
  require_approval: z
    .union([
      z.strictObject({ always: mcpToolFilter.optional(), never: mcpToolFilter.optional() }),
      z.enum(['always', 'never']),
    ])
    .nullable()
    .optional(),
  defer_loading: z.boolean().optional(),
});

export const tools = z.array(z.discriminatedUnion('type', [functionTool, mcpTool]));

export const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string() }),
  z.strictObject({ type: z.literal('mcp'), server_label: z.string(), name: z.string().nullable().optional() }),
]);

export const reasoning = z.strictObject({ effort: z.enum(['minimal', 'low', 'medium', 'high', 'xhigh']).optional() });

export const maxOutputTokens = z.union([z.number().int().min(1).max(4096), z.literal('inf')]);

const cacheBreakpoint = z.strictObject({ mode: z.literal('explicit') });

/** A reusable prompt: `{id, version?, variables?}`, the variables strings or input parts. */
export const prompt = z
  .strictObject({
    id: z.string().min(1),
    version: z.string().nullable().optional(),
    variables: z
      .record(
        z.string(),
        z.union([
          z.string(),
          z.discriminatedUnion('type', [
            z.strictObject({
              type: z.literal('input_text'),
              text: z.string(),
              prompt_cache_breakpoint: cacheBreakpoint.optional(),
            }),
            z.strictObject({
              type: z.literal('input_image'),
              image_url: z.string().nullable().optional(),
              file_id: z.string().nullable().optional(),
              detail: z.enum(['low', 'high', 'auto', 'original']),
              prompt_cache_breakpoint: cacheBreakpoint.optional(),
            }),
            z.strictObject({
              type: z.literal('input_file'),
              file_id: z.string().nullable().optional(),
              filename: z.string().optional(),
              file_data: z.string().optional(),
              file_url: z.string().optional(),
              detail: z.enum(['auto', 'low', 'high']).optional(),
              prompt_cache_breakpoint: cacheBreakpoint.optional(),
            }),
          ]),
        ]),
      )
      .nullable()
      .optional(),
  })
  .nullable();

export const outputModalities = z.union([z.tuple([z.literal('audio')]), z.tuple([z.literal('text')])]);

export const sessionSchema = z.strictObject({
  type: z.enum(['realtime', 'transcription']),
  model: z.string().min(1).optional(),
  instructions: z.string().optional(),
  output_modalities: outputModalities.optional(),
  audio: z
    .strictObject({
      input: z
        .strictObject({
          format: audioFormat.optional(),
          noise_reduction: z
            .strictObject({ type: z.enum(['near_field', 'far_field']).optional() })
            .nullable()
            .optional(),
          transcription: z
            .strictObject({
              model: z.string().min(1).optional(),
              language: z.string().optional(),
              languages: z.array(z.string()).min(1).optional(),
              keywords: z.array(z.string()).optional(),
              prompt: z.string().optional(),
              delay: z.enum(['minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
            })
            .nullable()
            .optional(),
          turn_detection: z.discriminatedUnion('type', [serverVad, semanticVad]).nullable().optional(),
        })
        .optional(),
      output: z
        .strictObject({
          format: audioFormat.optional(),
          voice: z.union([z.enum(VOICES), z.strictObject({ id: z.string().min(1) })]).optional(),
          speed: z.number().min(0.25).max(1.5).optional(),
        })
        .optional(),
    })
    .optional(),
  tools: tools.optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  reasoning: reasoning.optional(),
  max_output_tokens: maxOutputTokens.optional(),
  truncation: z
    .union([
      z.enum(['auto', 'disabled']),
      z.strictObject({
        type: z.literal('retention_ratio'),
        retention_ratio: z.number().min(0).max(1),
        token_limits: z.strictObject({ post_instructions: z.number().int().min(0).optional() }).optional(),
      }),
    ])
    .optional(),
  tracing: z
    .union([
      z.literal('auto'),
      z.strictObject({
        workflow_name: z.string().optional(),
        group_id: z.string().optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
      }),
    ])
    .nullable()
    .optional(),
  include: z.array(z.literal('item.input_audio_transcription.logprobs')).nullable().optional(),
  prompt: prompt.optional(),
});

export type SessionInput = z.infer<typeof sessionSchema>;

/** `{ expires_after?, session }`, the body of `POST /realtime/client_secrets`. */
export const clientSecretRequestSchema = z.strictObject({
  expires_after: z
    .strictObject({ anchor: z.literal('created_at'), seconds: z.number().int().min(10).max(7200) })
    .optional(),
  session: sessionSchema.optional(),
});

/** Turns zod's first issue into the service's error shape: code, message and the dotted param. */
export function describeIssue(
  error: z.ZodError,
  prefix: string,
  input?: unknown,
): { code: string; message: string; param: string } {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  // zod does not say "missing"; a path that leads to nothing in the input is.
  let value: unknown = input;
  for (const key of issue.path)
    value =
      value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = `${path ? `${path}.` : ''}${issue.keys[0]}`;
    return { code: 'unknown_parameter', message: `Unknown parameter: '${key}'.`, param: key };
  }
  if (input !== undefined && value === undefined && issue.code !== 'invalid_union') {
    return { code: 'missing_required_parameter', message: `Missing required parameter: '${path}'.`, param: path };
  }
  return { code: 'invalid_value', message: `Invalid value for '${path}': ${issue.message}`, param: path };
}
