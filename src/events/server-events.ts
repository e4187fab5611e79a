/**
 * Server → client events of the GA Realtime protocol, as they arrive on the
 * WebRTC data channel. Written for this project from the protocol reference
 * (docs/realtime-protocol.md, the OpenAPI description); only the fields the
 * element reads are typed precisely, every event keeps its other fields.
 */
import type { RealtimeSessionConfig } from './session-config.js';

/** Every server event type of the GA protocol (plus the beta-era `conversation.*created` still listed by the SDK). */
export const SERVER_EVENT_TYPES = [
  'error',
  'session.created',
  'session.updated',
  'conversation.created',
  'conversation.item.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.retrieved',
  'conversation.item.deleted',
  'conversation.item.truncated',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.input_audio_transcription.failed',
  'conversation.item.input_audio_transcription.segment',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'input_audio_buffer.dtmf_event_received',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'response.created',
  'response.done',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.output_audio.delta',
  'response.output_audio.done',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
  'response.function_call_arguments.delta',
  'response.function_call_arguments.done',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'mcp_list_tools.in_progress',
  'mcp_list_tools.completed',
  'mcp_list_tools.failed',
  'rate_limits.updated',
] as const;

export type ServerEventType = (typeof SERVER_EVENT_TYPES)[number];

/** Fields every server event has; unknown fields are kept as they came. */
export interface ServerEventBase<T extends string = string> {
  type: T;
  event_id?: string;
  [field: string]: unknown;
}

export interface RealtimeServiceError {
  type?: string;
  code?: string | null;
  message: string;
  param?: string | null;
  /** The client `event_id` that caused it, when there was one. */
  event_id?: string | null;
}

export interface ServerErrorEvent extends ServerEventBase<'error'> {
  error: RealtimeServiceError;
}

export interface SessionCreatedEvent extends ServerEventBase<'session.created' | 'session.updated'> {
  session: RealtimeSessionConfig & { id?: string; expires_at?: number };
}

export interface TranscriptDeltaEvent extends ServerEventBase<
  | 'response.output_audio_transcript.delta'
  | 'response.output_text.delta'
  | 'conversation.item.input_audio_transcription.delta'
> {
  item_id: string;
  delta: string;
  response_id?: string;
  content_index?: number;
}

export interface AssistantTranscriptDoneEvent extends ServerEventBase<'response.output_audio_transcript.done'> {
  item_id: string;
  transcript: string;
  response_id?: string;
}

export interface TextDoneEvent extends ServerEventBase<'response.output_text.done'> {
  item_id: string;
  text: string;
  response_id?: string;
}

export interface InputTranscriptionCompletedEvent extends ServerEventBase<'conversation.item.input_audio_transcription.completed'> {
  item_id: string;
  transcript: string;
}

export interface SpeechEvent extends ServerEventBase<
  'input_audio_buffer.speech_started' | 'input_audio_buffer.speech_stopped'
> {
  item_id: string;
  audio_start_ms?: number;
  audio_end_ms?: number;
}

export interface OutputAudioBufferEvent extends ServerEventBase<
  'output_audio_buffer.started' | 'output_audio_buffer.stopped' | 'output_audio_buffer.cleared'
> {
  response_id?: string;
}

export interface ResponseLifecycleEvent extends ServerEventBase<'response.created' | 'response.done'> {
  response: {
    id: string;
    status?: string;
    status_details?: unknown;
    output?: unknown[];
    usage?: unknown;
    [field: string]: unknown;
  };
}

export interface ConversationItem {
  id?: string;
  type: string;
  role?: 'user' | 'assistant' | 'system';
  status?: string;
  content?: Array<{ type: string; text?: string; transcript?: string | null; [field: string]: unknown }>;
  [field: string]: unknown;
}

export interface ConversationItemEvent extends ServerEventBase<
  'conversation.item.added' | 'conversation.item.done' | 'conversation.item.created'
> {
  item: ConversationItem;
  previous_item_id?: string | null;
}

type Specific =
  | ServerErrorEvent
  | SessionCreatedEvent
  | TranscriptDeltaEvent
  | AssistantTranscriptDoneEvent
  | TextDoneEvent
  | InputTranscriptionCompletedEvent
  | SpeechEvent
  | OutputAudioBufferEvent
  | ResponseLifecycleEvent
  | ConversationItemEvent;

/** The precise type of the server event named `T`, or the generic shape for events the element only forwards. */
/** The specific interfaces whose `type` (often a union of related types) includes T. */
type Matching<S, T extends string> = S extends { type: infer U } ? (T extends U ? S : never) : never;

export type ServerEventOf<T extends string> = [Matching<Specific, T>] extends [never]
  ? ServerEventBase<T>
  : Matching<Specific, T> & { type: T };

export type ServerEventMap = { [T in ServerEventType]: ServerEventOf<T> };

/** Any server event. Types outside the GA list (a newer service) still arrive, typed loosely. */
export type RealtimeServerEvent = ServerEventMap[ServerEventType] | ServerEventBase;

const KNOWN = new Set<string>(SERVER_EVENT_TYPES);

export function isKnownServerEventType(type: string): type is ServerEventType {
  return KNOWN.has(type);
}
