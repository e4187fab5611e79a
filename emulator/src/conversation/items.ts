/**
 * The conversation's item list and what clients do to it: committed user audio
 * (and its "transcript"), conversation.item.create / retrieve / delete /
 * truncate, and a response's output joining the list. Problems are reported
 * through `fail` as the service's error events; nothing here throws.
 */
import { newId } from '../ids.js';

export type ServerEvent = { type: string; [field: string]: unknown };

export type ContentPart = { type: string; text?: string; transcript?: string | null; audio?: string };
export interface Item {
  id: string;
  type:
    | 'message'
    | 'function_call'
    | 'function_call_output'
    | 'mcp_approval_response'
    | 'mcp_list_tools'
    | 'mcp_call'
    | 'mcp_approval_request';
  object: 'realtime.item';
  status: 'completed' | 'incomplete' | 'in_progress';
  role?: 'user' | 'assistant' | 'system';
  content?: ContentPart[];
  call_id?: string;
  name?: string;
  arguments?: string;
  output?: string | null;
  /** MCP items: the server's label; a listing's tools; a call's approval, and its error. */
  server_label?: string;
  tools?: McpListedTool[];
  approval_request_id?: string | null;
  approve?: boolean;
  reason?: string | null;
  error?: McpCallError | null;
  /** Emulator-only bookkeeping, never sent. */
  meta?: { speechMs?: number; audioMs?: number };
}

/** One tool of an `mcp_list_tools` item, as the server listed it. */
export interface McpListedTool {
  name: string;
  input_schema: Record<string, unknown>;
  description: string | null;
  annotations: Record<string, unknown> | null;
}

/** Why an `mcp_call` failed: the server's JSON-RPC error, the tool's own error result, or an HTTP status. */
export type McpCallError =
  | { type: 'protocol_error'; code: number; message: string }
  | { type: 'tool_execution_error'; message: string }
  | { type: 'http_error'; code: number; message: string };

export type Emit = (event: ServerEvent) => void;
/** Reports a refused client event as an `error` event (the service's invalid_request_error). */
export type Fail = (code: string, message: string, param?: string, clientEventId?: string) => void;

/** Items sent over the wire carry no emulator bookkeeping. */
export function wire(item: Item): Omit<Item, 'meta'> {
  const { meta: _meta, ...rest } = item;
  return structuredClone(rest);
}

export class ConversationItems {
  constructor(
    /** The conversation, oldest first (the Conversation's `items`). */
    readonly list: Item[],
    private readonly emit: Emit,
    private readonly fail: Fail,
  ) {}

  /** The id of the item before `item` in the conversation, or null. */
  previousId(item: Item): string | null {
    return this.list[this.list.indexOf(item) - 1]?.id ?? null;
  }

  /** Committed input audio becomes a user item (input_audio_buffer.committed, then added and done). */
  commitAudio(itemId: string, speechMs: number): void {
    const previous = this.list.at(-1)?.id ?? null;
    this.emit({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    const item: Item = {
      id: itemId,
      type: 'message',
      object: 'realtime.item',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
      meta: { speechMs },
    };
    this.list.push(item);
    this.emit({ type: 'conversation.item.added', previous_item_id: previous, item: wire(item) });
    this.emit({ type: 'conversation.item.done', previous_item_id: previous, item: wire(item) });
  }

  /** Input transcription of a committed item: no speech recognition here, the "transcript" says what the emulator does know. */
  transcribe(itemId: string, speechMs: number): void {
    const transcript = `[${(speechMs / 1000).toFixed(1)} s of speech]`;
    this.emit({
      type: 'conversation.item.input_audio_transcription.delta',
      item_id: itemId,
      content_index: 0,
      delta: transcript,
    });
    this.emit({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: itemId,
      content_index: 0,
      transcript,
      usage: { type: 'duration', seconds: Math.round(speechMs / 100) / 10 },
    });
  }

  /** conversation.item.create: after `previousItemId` ('root': first), else at the end. */
  create(input: Item, previousItemId: string | undefined, clientEventId?: string): void {
    if (previousItemId && previousItemId !== 'root' && !this.list.some((i) => i.id === previousItemId)) {
      return this.fail(
        'item_not_found',
        `Previous item '${previousItemId}' does not exist.`,
        'previous_item_id',
        clientEventId,
      );
    }
    const item: Item = {
      ...structuredClone(input),
      id: input.id ?? newId('item'),
      object: 'realtime.item',
      status: 'completed',
    };
    if (item.type === 'message' && item.role === 'assistant' && item.content?.some((c) => c.type.includes('audio'))) {
      return this.fail(
        'invalid_value',
        'Assistant audio content cannot be added to the conversation.',
        'item.content',
        clientEventId,
      );
    }
    const index =
      previousItemId === 'root'
        ? 0
        : previousItemId
          ? this.list.findIndex((i) => i.id === previousItemId) + 1
          : this.list.length;
    const previous = index > 0 ? this.list[index - 1]!.id : null;
    this.list.splice(index, 0, item);
    this.emit({ type: 'conversation.item.added', previous_item_id: previous, item: wire(item) });
    this.emit({ type: 'conversation.item.done', previous_item_id: previous, item: wire(item) });
  }

  /** conversation.item.retrieve */
  retrieve(itemId: string, clientEventId?: string): void {
    this.#withItem(itemId, clientEventId, (item) =>
      this.emit({ type: 'conversation.item.retrieved', item: wire(item) }),
    );
  }

  /** conversation.item.delete */
  delete(itemId: string, clientEventId?: string): void {
    this.#withItem(itemId, clientEventId, (item) => {
      this.list.splice(this.list.indexOf(item), 1);
      this.emit({ type: 'conversation.item.deleted', item_id: item.id });
    });
  }

  /** conversation.item.truncate: only an assistant audio item, and not past the audio it has. */
  truncate(itemId: string, contentIndex: number, audioEndMs: number, clientEventId?: string): void {
    const item = this.list.find((i) => i.id === itemId);
    if (!item || item.role !== 'assistant') {
      return this.fail(
        'item_truncate_invalid_item_id',
        `Invalid item_id: no assistant audio item with id '${itemId}'.`,
        'item_id',
        clientEventId,
      );
    }
    const audioMs = item.meta?.audioMs ?? 0;
    if (audioEndMs > audioMs) {
      return this.fail(
        'invalid_value',
        `audio_end_ms (${audioEndMs}) is longer than the item's audio (${audioMs} ms).`,
        'audio_end_ms',
        clientEventId,
      );
    }
    // As the service: truncating removes the item's transcript.
    for (const part of item.content ?? []) if (part.type === 'output_audio') part.transcript = '';
    item.meta = { ...item.meta, audioMs: audioEndMs };
    this.emit({
      type: 'conversation.item.truncated',
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  /** A response's output item joins the conversation (conversation.item.added). */
  addOutput(item: Item): void {
    this.list.push(item);
    this.emit({ type: 'conversation.item.added', previous_item_id: this.list.at(-2)?.id ?? null, item: wire(item) });
  }

  #withItem(itemId: string, clientEventId: string | undefined, then: (item: Item) => void): void {
    const item = this.list.find((i) => i.id === itemId);
    if (!item) return this.fail('item_not_found', `Item with item_id not found: ${itemId}`, 'item_id', clientEventId);
    then(item);
  }
}
