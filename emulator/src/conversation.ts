/**
 * What the model side of a call does, without any transport: session
 * updates, the conversation's items, turns from VAD or manual commits,
 * responses (speech, text or a function call) and their cancellation.
 * The Call feeds it microphone frames and client events and sends what it
 * emits to the data channel and the observers.
 *
 * The "model" is deterministic and honest about what it knows: it cannot
 * understand speech, so it says how long the user spoke; it quotes typed
 * text and the first words of its instructions; and, when the session has
 * tools, a user turn makes it call one (see `chooseTool`).
 */
import { newId } from './ids.js';
import { clientEventSchemas, type ClientEventType } from './protocol/event-schemas.js';
import { MAX_EVENT_DEPTH, nestingExceeds } from './protocol/limits.js';
import { describeIssue, type SessionInput } from './protocol/session-schema.js';
import { applySession, vadSettings, voiceName, type EffectiveSession } from './session.js';
import type { Speaker } from './speaker.js';
import { synthesize, type Speech } from './tts.js';
import { EnergyVad } from './vad.js';

export type ServerEvent = { type: string; [field: string]: unknown };

type ContentPart = { type: string; text?: string; transcript?: string | null; audio?: string };
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
  output?: string;
  /** Emulator-only bookkeeping, never sent. */
  meta?: { speechMs?: number; audioMs?: number };
}

interface ActiveResponse {
  id: string;
  modalities: ['audio'] | ['text'];
  item?: Item;
  /** The transcript generated so far (sent as deltas). */
  transcriptSent: string;
  /** Milliseconds of its audio generated so far. */
  generatedMs: number;
  /** The timer that generates its audio's transcript, while it runs. */
  generator?: ReturnType<typeof setInterval>;
  finished: boolean;
  /** null for an out-of-band response (`conversation: "none"`): its items stay out of the conversation. */
  conversationId: string | null;
  metadata: Record<string, string> | null;
}

/** An answer's audio in the output buffer: it plays on after its response is done. */
interface Playback {
  responseId: string;
  item: Item;
  text: string;
  durationMs: number;
  playedMs: number;
}

/**
 * The service generates an answer faster than it plays: `response.done` comes when the
 * response is generated, and `output_audio_buffer.stopped` when its audio has played.
 * The emulator generates at this multiple of real time (transcript deltas paced to it).
 */
export const GENERATION_SPEEDUP = 4;
/** How often the generator sends the transcript deltas that are due. */
const GENERATION_TICK_MS = 20;

export interface ConversationDeps {
  emit(event: ServerEvent): void;
  speaker?: Speaker;
  synthesize?: (text: string, voice: string, speed: number) => Promise<Speech>;
}

/** Items sent over the wire carry no emulator bookkeeping. */
function wire(item: Item): Omit<Item, 'meta'> {
  const { meta: _meta, ...rest } = item;
  return structuredClone(rest);
}

export class Conversation {
  readonly items: Item[] = [];
  readonly vad: EnergyVad;
  #response?: ActiveResponse;
  #playback?: Playback;
  #assistantHasSpoken = false;
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
  }

  get activeResponseId(): string | undefined {
    return this.#response?.id;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#idleTimer);
    clearInterval(this.#response?.generator);
    this.#playback = undefined;
    this.deps.speaker?.clear();
  }

  sessionCreated(): void {
    this.#emit({ type: 'session.created', session: this.session });
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
      if (td.interrupt_response) this.#interrupt();
    } else {
      const itemId = this.#pendingUserItemId ?? newId('item');
      this.#pendingUserItemId = undefined;
      this.#emit({
        type: 'input_audio_buffer.speech_stopped',
        audio_end_ms: Math.round(event.audioEndMs),
        item_id: itemId,
      });
      this.#commitAudio(itemId, event.speechMs);
      if (td.create_response && !this.#response) void this.#respond({});
    }
  }

  // ---- client events ----

  /** One client event from the data channel or an observer. Never throws: problems become `error` events. */
  handleClientEvent(raw: unknown): void {
    if (this.#closed) return;
    let event: unknown = raw;
    if (typeof raw === 'string') {
      try {
        event = JSON.parse(raw);
      } catch {
        this.#error('invalid_json', 'The server could not parse the event: it is not valid JSON.');
        return;
      }
    }
    if (!event || typeof event !== 'object' || Array.isArray(event)) {
      this.#error('invalid_value', 'Each event must be a JSON object with a "type".', 'type');
      return;
    }
    const record = event as { type?: unknown; event_id?: unknown };
    const clientEventId = typeof record.event_id === 'string' ? record.event_id : undefined;
    if (nestingExceeds(event, MAX_EVENT_DEPTH)) {
      this.#error(
        'invalid_value',
        `The event is nested more than ${MAX_EVENT_DEPTH} levels deep.`,
        undefined,
        clientEventId,
      );
      return;
    }
    if (typeof record.type !== 'string') {
      this.#error('missing_required_parameter', "Missing required parameter: 'type'.", 'type', clientEventId);
      return;
    }
    // Own keys only: a type such as "constructor" or "__proto__" must not find Object.prototype's members.
    const schema = Object.hasOwn(clientEventSchemas, record.type)
      ? clientEventSchemas[record.type as ClientEventType]
      : undefined;
    if (!schema) {
      this.#error(
        'invalid_value',
        `Invalid value: '${record.type.slice(0, 80)}'. Supported values are: '${Object.keys(clientEventSchemas).join("', '")}'.`,
        'type',
        clientEventId,
      );
      return;
    }
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issue = describeIssue(parsed.error, '', event);
      this.#error(issue.code, issue.message, issue.param, clientEventId);
      return;
    }
    try {
      this.#dispatch(parsed.data as ServerEvent, clientEventId);
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
      case 'conversation.item.create':
        return this.#createItem(event.item as Item, event.previous_item_id as string | undefined, clientEventId);
      case 'conversation.item.retrieve':
        return this.#withItem(event.item_id as string, clientEventId, (item) =>
          this.#emit({ type: 'conversation.item.retrieved', item: wire(item) }),
        );
      case 'conversation.item.delete':
        return this.#withItem(event.item_id as string, clientEventId, (item) => {
          this.items.splice(this.items.indexOf(item), 1);
          this.#emit({ type: 'conversation.item.deleted', item_id: item.id });
        });
      case 'conversation.item.truncate':
        return this.#truncate(
          event.item_id as string,
          event.content_index as number,
          event.audio_end_ms as number,
          clientEventId,
        );
      case 'response.create':
        if (this.#response) {
          return this.#error(
            'conversation_already_has_active_response',
            `Conversation already has an active response in progress: ${this.#response.id}. Wait until the response is finished before creating a new one.`,
            undefined,
            clientEventId,
          );
        }
        return void this.#respond((event.response ?? {}) as ResponseParams);
      case 'response.cancel':
        if (!this.#response || (event.response_id && event.response_id !== this.#response.id)) {
          return this.#error(
            'response_cancel_not_active',
            'Cancellation failed: no active response found.',
            undefined,
            clientEventId,
          );
        }
        return this.#cancel('client_cancelled');
      case 'output_audio_buffer.clear':
        return this.#clearPlayback();
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
      this.#assistantHasSpoken
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
    this.#emit({ type: 'session.updated', session: this.session });
  }

  // ---- items ----

  #commitAudio(itemId: string, speechMs: number): void {
    const previous = this.items.at(-1)?.id ?? null;
    this.#emit({ type: 'input_audio_buffer.committed', previous_item_id: previous, item_id: itemId });
    const item: Item = {
      id: itemId,
      type: 'message',
      object: 'realtime.item',
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_audio', transcript: null }],
      meta: { speechMs },
    };
    this.items.push(item);
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wire(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wire(item) });
    this.#bufferMs = this.#bufferSpeechMs = 0;
    if (this.session.audio.input.transcription) {
      // No speech recognition here: the "transcript" says what the emulator does know.
      const transcript = `[${(speechMs / 1000).toFixed(1)} s of speech]`;
      this.#emit({
        type: 'conversation.item.input_audio_transcription.delta',
        item_id: itemId,
        content_index: 0,
        delta: transcript,
      });
      this.#emit({
        type: 'conversation.item.input_audio_transcription.completed',
        item_id: itemId,
        content_index: 0,
        transcript,
        usage: { type: 'duration', seconds: Math.round(speechMs / 100) / 10 },
      });
    }
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

  #createItem(input: Item, previousItemId: string | undefined, clientEventId?: string): void {
    if (previousItemId && previousItemId !== 'root' && !this.items.some((i) => i.id === previousItemId)) {
      return this.#error(
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
      return this.#error(
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
          ? this.items.findIndex((i) => i.id === previousItemId) + 1
          : this.items.length;
    const previous = index > 0 ? this.items[index - 1]!.id : null;
    this.items.splice(index, 0, item);
    this.#emit({ type: 'conversation.item.added', previous_item_id: previous, item: wire(item) });
    this.#emit({ type: 'conversation.item.done', previous_item_id: previous, item: wire(item) });
  }

  #withItem(itemId: string, clientEventId: string | undefined, then: (item: Item) => void): void {
    const item = this.items.find((i) => i.id === itemId);
    if (!item) return this.#error('item_not_found', `Item with item_id not found: ${itemId}`, 'item_id', clientEventId);
    then(item);
  }

  #truncate(itemId: string, contentIndex: number, audioEndMs: number, clientEventId?: string): void {
    const item = this.items.find((i) => i.id === itemId);
    if (!item || item.role !== 'assistant') {
      return this.#error(
        'item_truncate_invalid_item_id',
        `Invalid item_id: no assistant audio item with id '${itemId}'.`,
        'item_id',
        clientEventId,
      );
    }
    const audioMs = item.meta?.audioMs ?? 0;
    if (audioEndMs > audioMs) {
      return this.#error(
        'invalid_value',
        `audio_end_ms (${audioEndMs}) is longer than the item's audio (${audioMs} ms).`,
        'audio_end_ms',
        clientEventId,
      );
    }
    // As the service: truncating removes the item's transcript.
    for (const part of item.content ?? []) if (part.type === 'output_audio') part.transcript = '';
    item.meta = { ...item.meta, audioMs: audioEndMs };
    this.#emit({
      type: 'conversation.item.truncated',
      item_id: itemId,
      content_index: contentIndex,
      audio_end_ms: audioEndMs,
    });
  }

  // ---- responses ----

  async #respond(params: ResponseParams): Promise<void> {
    clearTimeout(this.#idleTimer);
    const modalities = params.output_modalities ?? this.session.output_modalities;
    const outOfBand = params.conversation === 'none';
    const response: ActiveResponse = {
      id: newId('resp'),
      modalities,
      transcriptSent: '',
      generatedMs: 0,
      finished: false,
      conversationId: outOfBand ? null : this.#conversationId,
      metadata: params.metadata ?? null,
    };
    this.#response = response;
    this.#emit({ type: 'response.created', response: this.#responseObject(response, 'in_progress') });

    // `input` replaces the conversation as this response's context (items given inline; [] is none).
    const context = params.input ? (params.input as Item[]) : this.items;
    const tool = chooseTool(
      context,
      params.tools ?? this.session.tools,
      params.tool_choice ?? this.session.tool_choice,
    );
    if (tool) return this.#callTool(response, tool, context);

    const text = this.#replyText(params, context);
    const item: Item = {
      id: newId('item'),
      type: 'message',
      object: 'realtime.item',
      status: 'in_progress',
      role: 'assistant',
      content: [],
      meta: {},
    };
    response.item = item;
    this.#emit({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item: wire(item) });
    this.#addOutput(response, item);
    const at = { response_id: response.id, item_id: item.id, output_index: 0, content_index: 0 };

    if (modalities[0] === 'text' || !this.deps.speaker) {
      this.#emit({ type: 'response.content_part.added', ...at, part: { type: 'text', text: '' } });
      for (const word of words(text)) this.#emit({ type: 'response.output_text.delta', ...at, delta: word });
      this.#emit({ type: 'response.output_text.done', ...at, text });
      this.#emit({ type: 'response.content_part.done', ...at, part: { type: 'text', text } });
      item.content = [{ type: 'output_text', text }];
      this.#finish(response, 'completed');
      return this.#armIdle();
    }

    this.#emit({ type: 'response.content_part.added', ...at, part: { type: 'audio', transcript: '' } });
    const voice = params.audio?.output?.voice ?? voiceName(this.session);
    let speech: Speech;
    try {
      speech = await (this.deps.synthesize ?? synthesize)(text, voice, this.session.audio.output.speed);
    } catch (error) {
      if (this.#response !== response) return;
      this.#emit({
        type: 'error',
        error: {
          type: 'server_error',
          code: 'tts_failed',
          message: `Speech synthesis failed: ${(error as Error).message}`,
          param: null,
        },
      });
      return this.#finish(response, 'failed');
    }
    if (this.#response !== response || this.#closed) return; // cancelled while synthesizing
    item.meta = { audioMs: speech.durationMs };
    item.content = [{ type: 'output_audio', transcript: '' }];
    this.#assistantHasSpoken = true;
    const playback: Playback = { responseId: response.id, item, text, durationMs: speech.durationMs, playedMs: 0 };
    this.#playback = playback;
    this.#emit({ type: 'output_audio_buffer.started', response_id: response.id });
    this.deps.speaker!.play({
      samples: speech.samples,
      onProgress: (playedMs) => {
        playback.playedMs = playedMs;
      },
      onEnd: () => {
        if (this.#playback === playback) this.#playback = undefined;
        this.#emit({ type: 'output_audio_buffer.stopped', response_id: response.id });
        this.#armIdle();
      },
    });
    this.#generate(response, text, speech.durationMs, at);
  }

  /**
   * Streams the answer's transcript at GENERATION_SPEEDUP× real time, each word when the
   * audio generated has reached its share of the text, then ends the response, while the
   * audio plays on.
   */
  #generate(response: ActiveResponse, text: string, durationMs: number, at: Record<string, unknown>): void {
    const started = performance.now();
    const tick = () => {
      if (this.#response !== response || this.#closed) return clearInterval(response.generator);
      response.generatedMs = Math.min(durationMs, (performance.now() - started) * GENERATION_SPEEDUP);
      const generated = response.generatedMs >= durationMs;
      // The words due by now: the same share-of-the-text rule that cuts an answer to what was heard.
      const due = generated ? text : heardPart(text, response.generatedMs / Math.max(1, durationMs));
      for (const delta of words(due.slice(response.transcriptSent.length))) {
        response.transcriptSent += delta;
        this.#emit({ type: 'response.output_audio_transcript.delta', ...at, delta });
      }
      if (!generated) return;
      clearInterval(response.generator);
      this.#emit({ type: 'response.output_audio.done', ...at });
      this.#emit({ type: 'response.output_audio_transcript.done', ...at, transcript: text });
      this.#emit({ type: 'response.content_part.done', ...at, part: { type: 'audio', transcript: text } });
      response.item!.content = [{ type: 'output_audio', transcript: text }];
      this.#finish(response, 'completed');
    };
    response.generator = setInterval(tick, GENERATION_TICK_MS);
    tick();
  }

  /** The response's item joins the conversation, unless the response is out of band. */
  #addOutput(response: ActiveResponse, item: Item): void {
    if (!response.conversationId) return;
    this.items.push(item);
    this.#emit({ type: 'conversation.item.added', previous_item_id: this.items.at(-2)?.id ?? null, item: wire(item) });
  }

  #callTool(
    response: ActiveResponse,
    tool: { name: string; parameters?: Record<string, unknown> },
    context: Item[],
  ): void {
    const args = JSON.stringify(exampleArguments(tool.parameters, lastUserText(context)));
    const item: Item = {
      id: newId('item'),
      type: 'function_call',
      object: 'realtime.item',
      status: 'in_progress',
      call_id: newId('call'),
      name: tool.name,
      arguments: '',
    };
    response.item = item;
    this.#emit({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item: wire(item) });
    this.#addOutput(response, item);
    const half = Math.ceil(args.length / 2);
    for (const delta of [args.slice(0, half), args.slice(half)].filter(Boolean)) {
      this.#emit({
        type: 'response.function_call_arguments.delta',
        response_id: response.id,
        item_id: item.id,
        output_index: 0,
        call_id: item.call_id,
        delta,
      });
    }
    item.arguments = args;
    this.#emit({
      type: 'response.function_call_arguments.done',
      response_id: response.id,
      item_id: item.id,
      output_index: 0,
      call_id: item.call_id,
      name: tool.name,
      arguments: args,
    });
    this.#finish(response, 'completed');
    this.#armIdle();
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
      if (this.#closed || this.#response || this.vad.speaking) return;
      const itemId = newId('item');
      this.#emit({
        type: 'input_audio_buffer.timeout_triggered',
        audio_start_ms: Math.round(startMs),
        audio_end_ms: Math.round(Math.max(this.vad.positionMs, startMs + timeout)),
        item_id: itemId,
      });
      this.#commitAudio(itemId, 0);
      void this.#respond({});
    }, timeout);
  }

  /** Server VAD barge-in: the user spoke over the answer, being generated or still playing. */
  #interrupt(): void {
    this.#clearPlayback();
    this.#cancel('turn_detected');
  }

  /**
   * Drops the audio still to play (`output_audio_buffer.cleared`). As the service does over
   * WebRTC, the item keeps only what the user heard: its transcript cut to the audio played.
   */
  #clearPlayback(): void {
    const playback = this.#playback;
    if (!playback) return;
    this.#playback = undefined;
    this.deps.speaker?.clear();
    this.#emit({ type: 'output_audio_buffer.cleared', response_id: playback.responseId });
    const heard = heardPart(playback.text, playback.playedMs / Math.max(1, playback.durationMs));
    playback.item.content = [{ type: 'output_audio', transcript: heard }];
    playback.item.meta = { ...playback.item.meta, audioMs: playback.playedMs };
  }

  /**
   * Ends the response being generated. Audio already generated stays in the output buffer
   * and plays (as on the service, only `output_audio_buffer.clear` drops it).
   */
  #cancel(reason: 'turn_detected' | 'client_cancelled'): void {
    const response = this.#response;
    if (!response) return;
    clearInterval(response.generator);
    const playback = this.#playback;
    if (playback?.responseId === response.id) {
      this.deps.speaker?.endAt(response.generatedMs);
      playback.durationMs = Math.min(playback.durationMs, response.generatedMs);
      playback.text = response.transcriptSent;
      playback.item.content = [{ type: 'output_audio', transcript: response.transcriptSent }];
      playback.item.meta = { ...playback.item.meta, audioMs: playback.durationMs };
    }
    this.#finish(response, 'cancelled', { type: 'cancelled', reason });
  }

  #finish(
    response: ActiveResponse,
    status: 'completed' | 'cancelled' | 'failed',
    details?: Record<string, unknown>,
  ): void {
    if (response.finished) return;
    response.finished = true;
    const item = response.item;
    if (item) {
      item.status = status === 'completed' ? 'completed' : 'incomplete';
      this.#emit({ type: 'response.output_item.done', response_id: response.id, output_index: 0, item: wire(item) });
      if (response.conversationId)
        this.#emit({
          type: 'conversation.item.done',
          previous_item_id: this.items[this.items.indexOf(item) - 1]?.id ?? null,
          item: wire(item),
        });
    }
    if (this.#response === response) this.#response = undefined;
    this.#emit({ type: 'response.done', response: this.#responseObject(response, status, details) });
    this.#emit({
      type: 'rate_limits.updated',
      rate_limits: [
        { name: 'tokens', limit: 40000, remaining: 40000 - usageOf(item).total_tokens, reset_seconds: 1.2 },
      ],
    });
  }

  #responseObject(
    response: ActiveResponse,
    status: string,
    details?: Record<string, unknown>,
  ): Record<string, unknown> {
    const done = status !== 'in_progress';
    return {
      object: 'realtime.response',
      id: response.id,
      status,
      status_details: details ?? null,
      output: done && response.item ? [wire(response.item)] : [],
      conversation_id: response.conversationId,
      output_modalities: response.modalities,
      max_output_tokens: this.session.max_output_tokens,
      audio: { output: { format: this.session.audio.output.format, voice: this.session.audio.output.voice } },
      usage: done ? usageOf(response.item) : null,
      metadata: response.metadata,
    };
  }

  #replyText(params: ResponseParams, context: Item[]): string {
    const instructions = params.instructions ?? this.session.instructions;
    const quote = sentence(instructions.trim().split(/\s+/).slice(0, 8).join(' '));
    const tail = quote ? ` My instructions begin: ${quote}` : '';
    const last = [...context].reverse().find((i) => i.role === 'user' || i.type === 'function_call_output');
    if (last?.type === 'function_call_output') {
      const call = [...context, ...this.items].find((i) => i.type === 'function_call' && i.call_id === last.call_id);
      return `The ${call?.name ?? 'tool'} tool answered: ${sentence(String(last.output).slice(0, 200))}`;
    }
    const typed = last?.content?.find((c) => c.type === 'input_text')?.text;
    if (typed) return `You wrote: ${sentence(typed.slice(0, 200))}${tail}`;
    const speechMs = last?.meta?.speechMs;
    if (speechMs !== undefined) return `I heard ${(speechMs / 1000).toFixed(1)} seconds of speech.${tail}`;
    return `Hello, this is the realtime emulator.${tail}`;
  }

  #emit(event: ServerEvent): void {
    if (this.#closed && event.type !== 'error') return;
    this.deps.emit(event);
  }

  #error(code: string, message: string, param?: string, clientEventId?: string, type = 'invalid_request_error'): void {
    this.deps.emit({
      type: 'error',
      error: { type, code, message, param: param ?? null, event_id: clientEventId ?? null },
    });
  }
}

interface ResponseParams {
  instructions?: string;
  conversation?: string;
  metadata?: Record<string, string> | null;
  input?: unknown[];
  output_modalities?: ['audio'] | ['text'];
  tools?: EffectiveSession['tools'];
  tool_choice?: EffectiveSession['tool_choice'];
  audio?: { output?: { voice?: string } };
}

/**
 * The documented tool rule: when tools are available (and tool_choice is not
 * "none") and the newest item is a user message (not a tool result), the
 * model calls a tool: the one tool_choice names, else the first tool whose
 * name appears in the user's typed text, else the first tool.
 */
export function chooseTool(
  items: Item[],
  tools: EffectiveSession['tools'],
  toolChoice: EffectiveSession['tool_choice'],
) {
  // Only named function tools: the emulator reaches no MCP server (an MCP tool is accepted and never called).
  const functions = tools.filter((t): t is FunctionTool => t.type === 'function' && !!t.name);
  if (!functions.length || toolChoice === 'none') return undefined;
  const last = items.at(-1);
  if (!last || last.type !== 'message' || last.role !== 'user') return undefined;
  if (typeof toolChoice === 'object')
    return toolChoice.type === 'function' ? functions.find((t) => t.name === toolChoice.name) : undefined;
  const text = (lastUserText(items) ?? '').toLowerCase();
  return functions.find((t) => text.includes(t.name.toLowerCase())) ?? functions[0];
}

type FunctionTool = { type: 'function'; name: string; parameters?: Record<string, unknown> };

function lastUserText(items: Item[]): string | undefined {
  const last = [...items].reverse().find((i) => i.role === 'user');
  return last?.content?.find((c) => c.type === 'input_text')?.text;
}

/** Arguments that satisfy a simple JSON schema: strings get the user's text (or "example"), numbers 1, booleans true. */
function exampleArguments(
  schema: Record<string, unknown> | undefined,
  text: string | undefined,
): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (property.enum?.length) out[name] = property.enum[0];
    else if (property.type === 'number' || property.type === 'integer') out[name] = 1;
    else if (property.type === 'boolean') out[name] = true;
    else out[name] = text ?? 'example';
  }
  return out;
}

/** Ends a quoted fragment with exactly one full stop (unless it already ends a sentence). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return !trimmed || /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The words of `text` within the first `fraction` of it (the part of an answer heard). */
function heardPart(text: string, fraction: number): string {
  const limit = text.length * Math.max(0, Math.min(1, fraction));
  let heard = '';
  for (const word of words(text)) {
    if (heard.length + word.length * 0.5 > limit) break;
    heard += word;
  }
  return heard;
}

/** Splits text into deltas that keep their spaces, as the service's word-ish deltas do. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

function usageOf(item: Item | undefined) {
  const text = JSON.stringify(item?.content ?? item?.arguments ?? '');
  const outputText = Math.ceil(text.length / 4);
  const outputAudio = Math.ceil((item?.meta?.audioMs ?? 0) / 50);
  const input = 120;
  return {
    total_tokens: input + outputText + outputAudio,
    input_tokens: input,
    output_tokens: outputText + outputAudio,
    input_token_details: { text_tokens: input, audio_tokens: 0, cached_tokens: 0 },
    output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
  };
}
