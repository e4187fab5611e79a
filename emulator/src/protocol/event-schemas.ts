/**
 * GA client and server event shapes, as zod schemas of this project.
 * The emulator validates every client event with them; the tests validate
 * every event the emulator sends, and every event the element sends, with
 * them (and compare the lists with the OpenAPI description). Server
 * schemas are loose (extra fields allowed) but require what the GA
 * description requires, with the right types.
 */
import { z } from 'zod';
import {
  maxOutputTokens,
  outputModalities,
  prompt,
  reasoning,
  sessionSchema,
  toolChoice,
  tools,
} from './session-schema.js';

const id = z.string().min(1);
const eventId = z.string().min(1).optional();

const status = z.enum(['completed', 'incomplete', 'in_progress']).optional();
const itemBase = { id: id.optional(), object: z.literal('realtime.item').optional(), status };

// Content parts as the description has them: one shape per role, each field optional.
const userContent = z.strictObject({
  type: z.enum(['input_text', 'input_audio', 'input_image']),
  text: z.string().optional(),
  audio: z.string().optional(),
  image_url: z.string().optional(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
  transcript: z.string().nullable().optional(),
});
const assistantContent = z.strictObject({
  type: z.enum(['output_text', 'output_audio']),
  text: z.string().optional(),
  audio: z.string().optional(),
  transcript: z.string().nullable().optional(),
});
const systemContent = z.strictObject({ type: z.literal('input_text').optional(), text: z.string().optional() });

const mcpError = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('protocol_error'), code: z.number().int(), message: z.string() }),
  z.strictObject({ type: z.literal('tool_execution_error'), message: z.string() }),
  z.strictObject({ type: z.literal('http_error'), code: z.number().int(), message: z.string() }),
]);

const message = z.discriminatedUnion('role', [
  z.strictObject({
    type: z.literal('message'),
    ...itemBase,
    role: z.literal('user'),
    content: z.array(userContent).min(1),
  }),
  z.strictObject({
    type: z.literal('message'),
    ...itemBase,
    role: z.literal('assistant'),
    content: z.array(assistantContent).min(1),
  }),
  z.strictObject({
    type: z.literal('message'),
    ...itemBase,
    role: z.literal('system'),
    content: z.array(systemContent).min(1),
  }),
]);

export const itemCreateSchema = z.discriminatedUnion('type', [
  message,
  z.strictObject({
    type: z.literal('function_call'),
    ...itemBase,
    call_id: z.string().optional(),
    name: z.string(),
    arguments: z.string(),
  }),
  z.strictObject({
    type: z.literal('function_call_output'),
    ...itemBase,
    call_id: z.string().min(1),
    output: z.string(),
  }),
  z.strictObject({
    type: z.literal('mcp_approval_response'),
    // Required by the OpenAPI description, yet OpenAI's own Agents SDK sends none: the service gives it one.
    id: id.optional(),
    approval_request_id: z.string(),
    approve: z.boolean(),
    reason: z.string().nullable().optional(),
  }),
  z.strictObject({
    type: z.literal('mcp_list_tools'),
    id: id.optional(),
    server_label: z.string(),
    tools: z.array(
      z.strictObject({
        name: z.string(),
        description: z.string().nullable().optional(),
        input_schema: z.record(z.string(), z.unknown()),
        annotations: z.record(z.string(), z.unknown()).nullable().optional(),
      }),
    ),
  }),
  z.strictObject({
    type: z.literal('mcp_call'),
    id,
    server_label: z.string(),
    name: z.string(),
    arguments: z.string(),
    approval_request_id: z.string().nullable().optional(),
    output: z.string().nullable().optional(),
    error: mcpError.nullable().optional(),
  }),
  z.strictObject({
    type: z.literal('mcp_approval_request'),
    id,
    server_label: z.string(),
    name: z.string(),
    arguments: z.string(),
  }),
]);

const responseParams = z.strictObject({
  instructions: z.string().optional(),
  output_modalities: outputModalities.optional(),
  tools: tools.optional(),
  tool_choice: toolChoice.optional(),
  parallel_tool_calls: z.boolean().optional(),
  reasoning: reasoning.optional(),
  conversation: z.union([z.literal('auto'), z.literal('none'), z.string()]).optional(),
  input: z.array(itemCreateSchema).optional(),
  metadata: z.record(z.string(), z.string()).nullable().optional(),
  max_output_tokens: maxOutputTokens.optional(),
  audio: z
    .strictObject({
      output: z
        .strictObject({
          voice: sessionSchema.shape.audio.unwrap().shape.output.unwrap().shape.voice,
          format: sessionSchema.shape.audio.unwrap().shape.output.unwrap().shape.format,
        })
        .optional(),
    })
    .optional(),
  prompt: prompt.optional(),
});

/** Client → server events, keyed by type. */
export const clientEventSchemas = {
  'session.update': z.strictObject({ type: z.literal('session.update'), event_id: eventId, session: sessionSchema }),
  'input_audio_buffer.append': z.strictObject({
    type: z.literal('input_audio_buffer.append'),
    event_id: eventId,
    audio: z.string(),
  }),
  'input_audio_buffer.commit': z.strictObject({ type: z.literal('input_audio_buffer.commit'), event_id: eventId }),
  'input_audio_buffer.clear': z.strictObject({ type: z.literal('input_audio_buffer.clear'), event_id: eventId }),
  'conversation.item.create': z.strictObject({
    type: z.literal('conversation.item.create'),
    event_id: eventId,
    previous_item_id: z.string().nullable().optional(),
    item: itemCreateSchema,
  }),
  'conversation.item.retrieve': z.strictObject({
    type: z.literal('conversation.item.retrieve'),
    event_id: eventId,
    item_id: id,
  }),
  'conversation.item.truncate': z.strictObject({
    type: z.literal('conversation.item.truncate'),
    event_id: eventId,
    item_id: id,
    content_index: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
  }),
  'conversation.item.delete': z.strictObject({
    type: z.literal('conversation.item.delete'),
    event_id: eventId,
    item_id: id,
  }),
  'response.create': z.strictObject({
    type: z.literal('response.create'),
    event_id: eventId,
    response: responseParams.optional(),
  }),
  'response.cancel': z.strictObject({
    type: z.literal('response.cancel'),
    event_id: eventId,
    response_id: z.string().optional(),
  }),
  'output_audio_buffer.clear': z.strictObject({ type: z.literal('output_audio_buffer.clear'), event_id: eventId }),
} as const;

export type ClientEventType = keyof typeof clientEventSchemas;

// ---- server events (what the emulator emits; the tests hold it to these) ----

const serverBase = { event_id: id };
const item = z.looseObject({
  id,
  type: z.enum([
    'message',
    'function_call',
    'function_call_output',
    'mcp_approval_response',
    'mcp_list_tools',
    'mcp_call',
    'mcp_approval_request',
  ]),
  object: z.literal('realtime.item').optional(),
  status: z.enum(['completed', 'incomplete', 'in_progress']).optional(),
});
const usage = z.looseObject({
  total_tokens: z.number().int(),
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  input_token_details: z.looseObject({
    text_tokens: z.number().int(),
    audio_tokens: z.number().int(),
    cached_tokens: z.number().int(),
  }),
  output_token_details: z.looseObject({ text_tokens: z.number().int(), audio_tokens: z.number().int() }),
});
const response = z.looseObject({
  id,
  object: z.literal('realtime.response'),
  status: z.enum(['completed', 'cancelled', 'failed', 'incomplete', 'in_progress']),
  output: z.array(item),
  usage: usage.nullable().optional(),
  status_details: z.looseObject({ type: z.string() }).nullable().optional(),
  output_modalities: z.array(z.enum(['audio', 'text'])).optional(),
});
const responsePart = z.looseObject({
  type: z.enum(['audio', 'text']),
  transcript: z.string().optional(),
  text: z.string().optional(),
});
const inResponse = {
  response_id: id,
  item_id: id,
  output_index: z.number().int().min(0),
  content_index: z.number().int().min(0),
};

function server<T extends string, S extends z.ZodRawShape>(type: T, shape: S) {
  return z.looseObject({ type: z.literal(type), ...serverBase, ...shape });
}

export const serverEventSchemas = {
  error: server('error', {
    error: z.looseObject({
      type: z.string(),
      code: z.string().nullable().optional(),
      message: z.string(),
      param: z.string().nullable().optional(),
    }),
  }),
  'session.created': server('session.created', {
    session: z.looseObject({ type: z.literal('realtime'), object: z.literal('realtime.session') }),
  }),
  'session.updated': server('session.updated', {
    session: z.looseObject({ type: z.literal('realtime'), object: z.literal('realtime.session') }),
  }),
  'input_audio_buffer.speech_started': server('input_audio_buffer.speech_started', {
    audio_start_ms: z.number().int().min(0),
    item_id: id,
  }),
  'input_audio_buffer.speech_stopped': server('input_audio_buffer.speech_stopped', {
    audio_end_ms: z.number().int().min(0),
    item_id: id,
  }),
  'input_audio_buffer.committed': server('input_audio_buffer.committed', {
    item_id: id,
    previous_item_id: z.string().nullable().optional(),
  }),
  'input_audio_buffer.cleared': server('input_audio_buffer.cleared', {}),
  'input_audio_buffer.timeout_triggered': server('input_audio_buffer.timeout_triggered', {
    audio_start_ms: z.number().int().min(0),
    audio_end_ms: z.number().int().min(0),
    item_id: id,
  }),
  'conversation.item.added': server('conversation.item.added', {
    item,
    previous_item_id: z.string().nullable().optional(),
  }),
  'conversation.item.done': server('conversation.item.done', {
    item,
    previous_item_id: z.string().nullable().optional(),
  }),
  'conversation.item.truncated': server('conversation.item.truncated', {
    item_id: id,
    content_index: z.number().int(),
    audio_end_ms: z.number().int(),
  }),
  'conversation.item.deleted': server('conversation.item.deleted', { item_id: id }),
  'conversation.item.retrieved': server('conversation.item.retrieved', { item }),
  'conversation.item.input_audio_transcription.delta': server('conversation.item.input_audio_transcription.delta', {
    item_id: id,
    content_index: z.number().int().optional(),
    delta: z.string().optional(),
  }),
  'conversation.item.input_audio_transcription.completed': server(
    'conversation.item.input_audio_transcription.completed',
    {
      item_id: id,
      content_index: z.number().int(),
      transcript: z.string(),
      usage: z.looseObject({ type: z.string() }),
    },
  ),
  'response.created': server('response.created', { response }),
  'response.done': server('response.done', { response }),
  'response.output_item.added': server('response.output_item.added', {
    response_id: id,
    output_index: z.number().int(),
    item,
  }),
  'response.output_item.done': server('response.output_item.done', {
    response_id: id,
    output_index: z.number().int(),
    item,
  }),
  'response.content_part.added': server('response.content_part.added', { ...inResponse, part: responsePart }),
  'response.content_part.done': server('response.content_part.done', { ...inResponse, part: responsePart }),
  'response.output_audio_transcript.delta': server('response.output_audio_transcript.delta', {
    ...inResponse,
    delta: z.string(),
  }),
  'response.output_audio_transcript.done': server('response.output_audio_transcript.done', {
    ...inResponse,
    transcript: z.string(),
  }),
  'response.output_audio.done': server('response.output_audio.done', inResponse),
  'response.output_text.delta': server('response.output_text.delta', { ...inResponse, delta: z.string() }),
  'response.output_text.done': server('response.output_text.done', { ...inResponse, text: z.string() }),
  'response.function_call_arguments.delta': server('response.function_call_arguments.delta', {
    response_id: id,
    item_id: id,
    output_index: z.number().int(),
    call_id: id,
    delta: z.string(),
  }),
  'response.function_call_arguments.done': server('response.function_call_arguments.done', {
    response_id: id,
    item_id: id,
    output_index: z.number().int(),
    call_id: id,
    name: z.string(),
    arguments: z.string(),
  }),
  // MCP: a listing is about its conversation item; a call's progress events name no response (as in the description).
  'mcp_list_tools.in_progress': server('mcp_list_tools.in_progress', { item_id: id }),
  'mcp_list_tools.completed': server('mcp_list_tools.completed', { item_id: id }),
  'mcp_list_tools.failed': server('mcp_list_tools.failed', { item_id: id }),
  'response.mcp_call_arguments.delta': server('response.mcp_call_arguments.delta', {
    response_id: id,
    item_id: id,
    output_index: z.number().int().min(0),
    delta: z.string(),
  }),
  'response.mcp_call_arguments.done': server('response.mcp_call_arguments.done', {
    response_id: id,
    item_id: id,
    output_index: z.number().int().min(0),
    arguments: z.string(),
  }),
  'response.mcp_call.in_progress': server('response.mcp_call.in_progress', {
    item_id: id,
    output_index: z.number().int().min(0),
  }),
  'response.mcp_call.completed': server('response.mcp_call.completed', {
    item_id: id,
    output_index: z.number().int().min(0),
  }),
  'response.mcp_call.failed': server('response.mcp_call.failed', {
    item_id: id,
    output_index: z.number().int().min(0),
  }),
  'output_audio_buffer.started': server('output_audio_buffer.started', { response_id: id }),
  'output_audio_buffer.stopped': server('output_audio_buffer.stopped', { response_id: id }),
  'output_audio_buffer.cleared': server('output_audio_buffer.cleared', { response_id: id }),
  'rate_limits.updated': server('rate_limits.updated', {
    rate_limits: z.array(
      z.looseObject({
        name: z.enum(['requests', 'tokens']),
        limit: z.number(),
        remaining: z.number(),
        reset_seconds: z.number(),
      }),
    ),
  }),
} as const;

export type EmittedServerEventType = keyof typeof serverEventSchemas;

/** Checks one server event; returns a problem description, or undefined when it conforms. */
export function checkServerEvent(event: unknown): string | undefined {
  const type = (event as { type?: unknown })?.type;
  if (typeof type !== 'string') return 'event without a string type';
  const schema = Object.hasOwn(serverEventSchemas, type)
    ? (serverEventSchemas as Record<string, z.ZodType>)[type]
    : undefined;
  if (!schema) return `no schema for server event type "${type}"`;
  const result = schema.safeParse(event);
  return result.success
    ? undefined
    : `${type}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
}

/** Checks one client event against the GA client shapes. */
export function checkClientEvent(event: unknown): string | undefined {
  const type = (event as { type?: unknown })?.type;
  if (typeof type !== 'string') return 'event without a string type';
  const schema = Object.hasOwn(clientEventSchemas, type)
    ? (clientEventSchemas as Record<string, z.ZodType>)[type]
    : undefined;
  if (!schema) return `unknown client event type "${type}"`;
  const result = schema.safeParse(event);
  return result.success
    ? undefined
    : `${type}: ${result.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
}
