/** Client → server events of the GA Realtime protocol (what `send()` accepts). */
import type {
  RealtimeAudioFormat,
  RealtimePrompt,
  RealtimeReasoning,
  RealtimeSessionConfig,
  RealtimeSessionTool,
  RealtimeToolChoice,
  RealtimeVoiceSetting,
} from './session-config.js';

export const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'conversation.item.create',
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'response.create',
  'response.cancel',
  'output_audio_buffer.clear',
] as const;

export type ClientEventType = (typeof CLIENT_EVENT_TYPES)[number];

export interface ClientEventBase<T extends string = ClientEventType> {
  type: T;
  /** Echoed in `error.event_id` when the service rejects the event. */
  event_id?: string;
  [field: string]: unknown;
}

export interface SessionUpdateEvent extends ClientEventBase<'session.update'> {
  session: RealtimeSessionConfig;
}

type ItemStatus = 'completed' | 'incomplete' | 'in_progress';
interface ItemBase {
  id?: string;
  object?: 'realtime.item';
  status?: ItemStatus;
}

/** Content of a user message: typed text, audio (base64) or an image (data URI). */
export interface RealtimeUserContent {
  type: 'input_text' | 'input_audio' | 'input_image';
  text?: string;
  audio?: string;
  image_url?: string;
  detail?: 'auto' | 'low' | 'high';
  transcript?: string;
}

export interface RealtimeMcpError {
  type: 'protocol_error' | 'tool_execution_error' | 'http_error';
  code?: number;
  message: string;
}

/** An item a page may add to the conversation (`conversation.item.create`, or `response.create`'s `input`). */
export type RealtimeItemInput =
  | (ItemBase & { type: 'message'; role: 'user'; content: RealtimeUserContent[] })
  | (ItemBase & {
      type: 'message';
      role: 'assistant';
      content: Array<{ type: 'output_text' | 'output_audio'; text?: string; audio?: string; transcript?: string }>;
    })
  | (ItemBase & { type: 'message'; role: 'system'; content: Array<{ type?: 'input_text'; text?: string }> })
  | (ItemBase & { type: 'function_call'; call_id?: string; name: string; arguments: string })
  | (ItemBase & { type: 'function_call_output'; call_id: string; output: string })
  | {
      type: 'mcp_approval_response';
      id?: string;
      approval_request_id: string;
      approve: boolean;
      reason?: string | null;
    }
  | {
      type: 'mcp_list_tools';
      id?: string;
      server_label: string;
      tools: Array<{
        name: string;
        description?: string | null;
        input_schema: Record<string, unknown>;
        annotations?: Record<string, unknown> | null;
      }>;
    }
  | {
      type: 'mcp_call';
      id: string;
      server_label: string;
      name: string;
      arguments: string;
      approval_request_id?: string | null;
      output?: string | null;
      error?: RealtimeMcpError | null;
    }
  | { type: 'mcp_approval_request'; id: string; server_label: string; name: string; arguments: string };

/** `response.create`'s `response`: overrides for this response only. */
export interface RealtimeResponseCreateParams {
  output_modalities?: Array<'audio' | 'text'>;
  instructions?: string;
  audio?: { output?: { format?: RealtimeAudioFormat; voice?: RealtimeVoiceSetting } };
  tools?: RealtimeSessionTool[];
  tool_choice?: RealtimeToolChoice;
  parallel_tool_calls?: boolean;
  reasoning?: RealtimeReasoning;
  max_output_tokens?: number | 'inf';
  /** `none`: an out-of-band response, not added to the conversation. */
  conversation?: 'auto' | 'none' | (string & {});
  /** Strings only; echoed in the response, to tell parallel responses apart. */
  metadata?: Record<string, string> | null;
  prompt?: RealtimePrompt | null;
  /** Instead of the conversation: these items (an empty array: no context). */
  input?: RealtimeItemInput[];
}

export interface ConversationItemCreateEvent extends ClientEventBase<'conversation.item.create'> {
  item: RealtimeItemInput;
  previous_item_id?: string;
}

export interface ResponseCreateEvent extends ClientEventBase<'response.create'> {
  response?: RealtimeResponseCreateParams;
}

export type RealtimeClientEvent =
  SessionUpdateEvent | ConversationItemCreateEvent | ResponseCreateEvent | ClientEventBase;
