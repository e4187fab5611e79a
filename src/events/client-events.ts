/** Client → server events of the GA Realtime protocol (what `send()` accepts). */
import type { ConversationItem } from './server-events.js';
import type { RealtimeSessionConfig } from './session-config.js';

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

export interface ConversationItemCreateEvent extends ClientEventBase<'conversation.item.create'> {
  item: ConversationItem;
  previous_item_id?: string;
}

export interface ResponseCreateEvent extends ClientEventBase<'response.create'> {
  response?: Record<string, unknown>;
}

export type RealtimeClientEvent = SessionUpdateEvent | ConversationItemCreateEvent | ResponseCreateEvent | ClientEventBase;
