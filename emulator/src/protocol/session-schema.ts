/**
 * The GA session object, as the emulator validates `session.update` and
 * `client_secrets` bodies: strict (an unknown field is an error, as on the
 * service, e.g. the beta `modalities`), with the documented ranges.
 * Written for this project from the protocol reference; the OpenAPI
 * description in shared/protocol is what the tests compare it against.
 */
import { z } from 'zod';

export const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

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

export const functionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string().min(1).max(64),
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const sessionSchema = z.strictObject({
  type: z.enum(['realtime', 'transcription']),
  model: z.string().min(1).optional(),
  instructions: z.string().optional(),
  output_modalities: z.union([z.tuple([z.literal('audio')]), z.tuple([z.literal('text')])]).optional(),
  audio: z
    .strictObject({
      input: z
        .strictObject({
          format: audioFormat.optional(),
          noise_reduction: z.strictObject({ type: z.enum(['near_field', 'far_field']) }).nullable().optional(),
          transcription: z
            .strictObject({ model: z.string().min(1), language: z.string().optional(), prompt: z.string().optional() })
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
  tools: z.array(functionTool).optional(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.strictObject({ type: z.literal('function'), name: z.string() })])
    .optional(),
  max_output_tokens: z.union([z.number().int().min(1).max(4096), z.literal('inf')]).optional(),
  truncation: z.unknown().optional(),
  tracing: z.unknown().optional(),
  include: z.array(z.literal('item.input_audio_transcription.logprobs')).nullable().optional(),
  prompt: z.unknown().optional(),
});

export type SessionInput = z.infer<typeof sessionSchema>;

/** `{ expires_after?, session }`, the body of `POST /realtime/client_secrets`. */
export const clientSecretRequestSchema = z.strictObject({
  expires_after: z.strictObject({ anchor: z.literal('created_at'), seconds: z.number().int().min(10).max(7200) }).optional(),
  session: sessionSchema.optional(),
});

/** Turns zod's first issue into the service's error shape: code, message and the dotted param. */
export function describeIssue(error: z.ZodError, prefix: string, input?: unknown): { code: string; message: string; param: string } {
  const issue = error.issues[0]!;
  const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  // zod does not say "missing"; a path that leads to nothing in the input is.
  let value: unknown = input;
  for (const key of issue.path) value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key as PropertyKey] : undefined;
  if (issue.code === 'unrecognized_keys') {
    const key = `${path ? `${path}.` : ''}${issue.keys[0]}`;
    return { code: 'unknown_parameter', message: `Unknown parameter: '${key}'.`, param: key };
  }
  if (input !== undefined && value === undefined && issue.code !== 'invalid_union') {
    return { code: 'missing_required_parameter', message: `Missing required parameter: '${path}'.`, param: path };
  }
  return { code: 'invalid_value', message: `Invalid value for '${path}': ${issue.message}`, param: path };
}
