/**
 * What the model side of a call does, without any transport: session
 * updates, the conversation's items, turns from VAD or manual commits,
 * responses (speech, text, a function call or an MCP server's tool) and their cancellation.
 * The Call feeds it microphone frames and client events and sends what it
 * emits to the data channel and the observers.
 *
 * This class is the orchestrator: it owns the input audio buffer, the turn
 * detection and the session, and hands the rest to one module each:
 * - conversation/client-events.ts: client events checked as the service does (else `error` events);
 * - conversation/items.ts: the item list and conversation.item.create/retrieve/delete/truncate;
 * - conversation/responses.ts: response streaming, audio pacing, cancel and output buffer clear;
 * - conversation/model.ts: the scripted model (what it answers, which tool it calls: `chooseTool`);
 * - conversation/mcp.ts: the session's remote MCP servers, their tools listed and called.
 */
import { newId } from './ids.js';
import type { SessionInput } from './protocol/session-schema.js';
import { applySession, vadSettings, type EffectiveSession } from './session.js';
import type { Speaker } from './speaker.js';
import type { Speech } from './tts.js';
import { EnergyVad } from './vad.js';
import { checkClientEvent, errorEvent } from './conversation/client-events.js';
import { ConversationItems, type Item, type ServerEvent } from './conversation/items.js';
import { McpServers } from './conversation/mcp.js';
import { Responses, type ResponseParams } from './conversation/responses.js';

export type { ContentPart, Item, ServerEvent } from './conversation/items.js';
export { chooseTool } from './conversation/model.js';
export { GENERATION_SPEEDUP } from './conversation/responses.js';

/** One item of a response's context, as a test reads it: who, what kind, its text (or transcript). */
export interface ContextEntry {
  id: string;
  type: string;
  role?: string;
  text: string;
}

/** What each response of a call was given (the test hook's `contexts`), newest last. */
export interface ResponseContext {
  response_id: string;
  items: ContextEntry[];
}

/** Contexts kept per call: a test looks at the last few answers, not an hour of them. */
const MAX_CONTEXTS = 50;

export interface ConversationDeps {
  emit(event: ServerEvent): void;
  speaker?: Speaker;
  synthesize?: (text: string, voice: string, speed: number) => Promise<Speech>;
  /** The bound on each MCP listing and call (the service's 20 s unless a test shortens it). */
  mcpTimeoutMs?: number;
}

export class Conversation {
  readonly items: Item[] = [];
  readonly contexts: ResponseContext[] = [];
  readonly vad: EnergyVad;
  readonly #items: ConversationItems;
  readonly #responses: Responses;
  readonly #mcp: McpServers;
  #pendingUserItemId?: string;
  /** Manual-commit buffer: milliseconds of input since the last commit/clear, and of them, loud ones. */
  #bufferMs = 0;
  #bufferSpeechMs = 0;
  #closed = false;
  readonly #conversationId = newId('conv');
  /** server_vad's idle_timeout_ms, armed when an answer has finished (played, for audio). */
  #idleTimer?: ReturnType<typeof setTimeout>;

  constructor(
    readonly session: EffectiveSession,
    private readonly deps: ConversationDeps,
  ) {
    const td = session.audio.input.turn_detection;
    this.vad = new EnergyVad(
      td ? vadSettings(td) : { threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200 },
    );
    const emit = (event: ServerEvent) => this.#emit(event);
    this.#items = new ConversationItems(this.items, emit, (code, message, param, clientEventId) =>
      this.#error(code, message, param, clientEventId),
    );
    this.#mcp = new McpServers({ items: this.#items, emit }, deps.mcpTimeoutMs);
    this.#responses = new Responses({
      session,
      items: this.#items,
      mcp: this.#mcp,
      conversationId: this.#conversationId,
      speaker: deps.speaker,
      synthesize: deps.synthesize,
      emit,
      isClosed: () => this.#closed,
      answered: () => this.#armIdle(),
      sawContext: (responseId, context) => this.#sawContext(responseId, context),
    });
  }

  #sawContext(responseId: string, context: readonly Item[]): void {
    const text = (item: Item) =>
      (item.content ?? []).map((c) => c.text ?? c.transcript ?? '').join('') ||
      String(item.output ?? item.arguments ?? '');
    const items = context.map((item) => ({ id: item.id, type: item.type, role: item.role, text: text(item) }));
    this.contexts.push({ response_id: responseId, items });
    if (this.contexts.length > MAX_CONTEXTS) this.contexts.shift();
  }

  get activeResponseId(): string | undefined {
    return this.#responses.activeId;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    this.#responses.close();
    this.#mcp.close();
    this.deps.speaker?.clear();
  }

  /** session.created; the MCP servers of the session the call was created with are listed then. */
  sessionCreated(): void {
    this.#emit({ type: 'session.created', session: withoutSecrets(this.session) });
    this.#mcp.sync(this.session.tools);
  }

  // ---- input audio ----

  onInputFrame(samples: Int16Array, sampleRate: number, channels: number): void {
    if (this.#closed) return;
    const durationMs = (samples.length / channels / sampleRate) * 1000;
    const td = this.session.audio.input.turn_detection;
    const event = this.vad.push(samples, durationMs, channels);
    this.#bufferMs += durationMs;
    if (this.vad.speaking) this.#bufferSpeechMs += durationMs;
    if (!td || !event) return;
    if (event.kind === 'start') {
      clearTimeout(this.#idleTimer);
      this.#pendingUserItemId = newId('item');
      this.#emit({
        type: 'input_audio_buffer.speech_started',
        audio_start_ms: Math.round(event.audioStartMs),
        item_id: this.#pendingUserItemId,
      });
      if (td.interrupt_response) this.#responses.interrupt();
    } else {
      const itemId = this.#pendingUserItemId ?? newId('item');
      this.#pendingUserItemId = undefined;
      this.#emit({
        type: 'input_audio_buffer.speech_stopped',
        audio_end_ms: Math.round(event.audioEndMs),
        item_id: itemId,
      });
      this.#commitAudio(itemId, event.speechMs);
      if (td.create_response && !this.#responses.activeId) this.#respond({});
    }
  }

  // ---- client events ----

  /** One client event from the data channel or an observer. Never throws: problems become `error` events. */
  handleClientEvent(raw: unknown): void {
    if (this.#closed) return;
    const checked = checkClientEvent(raw);
    if (!checked.ok) return this.deps.emit(checked.error);
    const { event, clientEventId } = checked;
    try {
      this.#dispatch(event, clientEventId);
    } catch (error) {
      this.#error(
        'server_error',
        `The emulator failed on this event: ${(error as Error).message}`,
        undefined,
        clientEventId,
        'server_error',
      );
    }
  }

  #dispatch(event: ServerEvent, clientEventId?: string): void {
    switch (event.type) {
      case 'session.update':
        return this.#updateSession(event.session as SessionInput, clientEventId);
      case 'input_audio_buffer.append':
        // Base64 PCM16 at 24 kHz: 48 bytes a millisecond.
        this.#bufferMs += Math.floor(((String(event.audio).length * 3) / 4 / 48) | 0);
        return;
      case 'input_audio_buffer.commit':
        return this.#manualCommit(clientEventId);
      case 'input_audio_buffer.clear':
        this.#bufferMs = this.#bufferSpeechMs = 0;
        this.vad.reset();
        return this.#emit({ type: 'input_audio_buffer.cleared' });
      case 'conversation.item.create': {
        const item = event.item as Item;
        const previousItemId = event.previous_item_id as string | undefined;
        if (item.type === 'mcp_approval_response') return this.#answerApproval(item, previousItemId, clientEventId);
        return this.#items.create(item, previousItemId, clientEventId);
      }
      case 'conversation.item.retrieve':
        return this.#items.retrieve(event.item_id as string, clientEventId);
      case 'conversation.item.delete':
        return this.#items.delete(event.item_id as string, clientEventId);
      case 'conversation.item.truncate':
        return this.#items.truncate(
          event.item_id as string,
          event.content_index as number,
          event.audio_end_ms as number,
          clientEventId,
        );
      case 'response.create': {
        const active = this.#responses.activeId;
        if (active) {
          return this.#error(
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${active}. Wait until the response is finished before creating a new one.`,
            undefined,
            clientEventId,
          );
        }
        return this.#respond((event.response ?? {}) as ResponseParams);
      }
      case 'response.cancel': {
        const active = this.#responses.activeId;
        if (!active || (event.response_id && event.response_id !== active)) {
          return this.#error(
            'response_cancel_not_active',
            'Cancellation failed: no active response found.',
            undefined,
            clientEventId,
          );
        }
        return this.#responses.cancel('client_cancelled');
      }
      case 'output_audio_buffer.clear':
        return this.#responses.clearPlayback();
    }
  }

  // ---- session ----

  #updateSession(update: SessionInput, clientEventId?: string): void {
    if (update.type !== this.session.type) {
      return this.#error(
        'invalid_value',
        'Cannot change the session type once the session has started.',
        'session.type',
        clientEventId,
      );
    }
    if (update.model !== undefined && update.model !== this.session.model) {
      return this.#error(
        'invalid_value',
        "The session's model cannot be changed by session.update.",
        'session.model',
        clientEventId,
      );
    }
    const voice = update.audio?.output?.voice;
    if (
      voice !== undefined &&
      JSON.stringify(voice) !== JSON.stringify(this.session.audio.output.voice) &&
      this.#responses.assistantHasSpoken
    ) {
      return this.#error(
        'cannot_update_voice',
        "Cannot update a conversation's voice if assistant audio is present.",
        'session.audio.output.voice',
        clientEventId,
      );
    }
    applySession(this.session, update);
    const td = this.session.audio.input.turn_detection;
    if (td) this.vad.settings = vadSettings(td);
    this.#emit({ type: 'session.updated', session: withoutSecrets(this.session) });
    if (update.tools !== undefined) this.#mcp.sync(this.session.tools);
  }

  // ---- MCP approvals ----

  /**
   * The user's answer to an approval request: it joins the conversation and, as on the service, the
   * response that acts on it (the call, or the answer without it) starts without a response.create.
   */
  #answerApproval(item: Item, previousItemId: string | undefined, clientEventId?: string): void {
    const requestId = item.approval_request_id;
    const request = this.items.find((i) => i.type === 'mcp_approval_request' && i.id === requestId);
    if (!request) {
      return this.#error(
        'invalid_value',
        `No MCP approval request with id '${requestId}' in this conversation.`,
        'item.approval_request_id',
        clientEventId,
      );
    }
    if (this.items.some((i) => i.type === 'mcp_approval_response' && i.approval_request_id === requestId)) {
      return this.#error(
        'invalid_value',
        `The MCP approval request '${requestId}' has already been answered.`,
        'item.approval_request_id',
        clientEventId,
      );
    }
    const before = this.items.length;
    this.#items.create(item, previousItemId, clientEventId);
    if (this.items.length === before) return; // refused (an unknown previous_item_id): already reported
    if (!this.#responses.activeId) this.#respond({});
  }

  // ---- turns ----

  #commitAudio(itemId: string, speechMs: number): void {
    this.#items.commitAudio(itemId, speechMs);
    this.#bufferMs = this.#bufferSpeechMs = 0;
    if (this.session.audio.input.transcription) this.#items.transcribe(itemId, speechMs);
  }

  #manualCommit(clientEventId?: string): void {
    if (this.#bufferMs < 100) {
      return this.#error(
        'input_audio_buffer_commit_empty',
        `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${Math.round(this.#bufferMs)}ms of audio.`,
        undefined,
        clientEventId,
      );
    }
    this.vad.reset();
    this.#commitAudio(this.#pendingUserItemId ?? newId('item'), this.#bufferSpeechMs);
    this.#pendingUserItemId = undefined;
  }

  #respond(params: ResponseParams): void {
    clearTimeout(this.#idleTimer);
    void this.#responses.respond(params);
  }

  /**
   * server_vad's idle_timeout_ms: counted from the end of the last answer (its playback, for audio).
   * When no speech starts meanwhile: input_audio_buffer.timeout_triggered over the silent stretch,
   * the (empty) audio committed as a user item, and a response, as the description says.
   */
  #armIdle(): void {
    clearTimeout(this.#idleTimer);
    const td = this.session.audio.input.turn_detection;
    if (td?.type !== 'server_vad' || !td.idle_timeout_ms || this.#closed) return;
    const startMs = this.vad.positionMs;
    const timeout = td.idle_timeout_ms;
    this.#idleTimer = setTimeout(() => {
      if (this.#closed || this.#responses.activeId || this.vad.speaking) return;
      const itemId = newId('item');
      this.#emit({
        type: 'input_audio_buffer.timeout_triggered',
        audio_start_ms: Math.round(startMs),
        audio_end_ms: Math.round(Math.max(this.vad.positionMs, startMs + timeout)),
        item_id: itemId,
      });
      this.#commitAudio(itemId, 0);
      this.#respond({});
    }, timeout);
  }

  #emit(event: ServerEvent): void {
    if (this.#closed && event.type !== 'error') return;
    this.deps.emit(event);
  }

  #error(code: string, message: string, param?: string, clientEventId?: string, type = 'invalid_request_error'): void {
    this.deps.emit(errorEvent(code, message, param, clientEventId, type));
  }
}

/**
 * The session as the client sees it: an MCP tool's `authorization` and header values stay with the
 * service (the browser holds the data channel, and the operator's MCP credentials are not its business).
 */
function withoutSecrets(session: EffectiveSession): EffectiveSession {
  if (!session.tools.some((tool) => tool.type === 'mcp')) return session;
  return {
    ...session,
    tools: session.tools.map((tool) => {
      if (tool.type !== 'mcp') return tool;
      const { authorization, headers, ...rest } = tool as typeof tool & {
        authorization?: string;
        headers?: Record<string, string>;
      };
      void authorization;
      return headers ? { ...rest, headers: Object.fromEntries(Object.keys(headers).map((k) => [k, '***'])) } : rest;
    }) as EffectiveSession['tools'],
  };
}
