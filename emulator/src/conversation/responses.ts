/**
 * Responses: one at a time, streamed as the service streams them. A text
 * answer's deltas at once; a spoken answer's audio synthesized, played
 * through the speaker, and its transcript deltas paced to the audio
 * generated (GENERATION_SPEEDUP × real time); a tool call's argument deltas;
 * an MCP tool's approval request, or its call on the server and the answer
 * that reads its result back (two output items in one response).
 * Then cancellation (response.cancel, barge-in) and output_audio_buffer.clear,
 * which keep in the item only what was generated or heard.
 */
import { newId } from '../ids.js';
import { voiceName, type EffectiveSession } from '../session.js';
import type { Speaker } from '../speaker.js';
import { synthesize, type Speech } from '../tts.js';
import { wire, type ConversationItems, type Emit, type Item, type ServerEvent } from './items.js';
import type { CallableMcpTool, McpServers } from './mcp.js';
import { approvalToAct, chooseTool, replyText, toolArguments } from './model.js';

/**
 * The service generates an answer faster than it plays: `response.done` comes when the
 * response is generated, and `output_audio_buffer.stopped` when its audio has played.
 * The emulator generates at this multiple of real time (transcript deltas paced to it).
 */
export const GENERATION_SPEEDUP = 4;
/** How often the generator sends the transcript deltas that are due. */
const GENERATION_TICK_MS = 20;

/** response.create's `response` (as its schema checked it). */
export interface ResponseParams {
  instructions?: string;
  conversation?: string;
  metadata?: Record<string, string> | null;
  input?: unknown[];
  output_modalities?: ['audio'] | ['text'];
  tools?: EffectiveSession['tools'];
  tool_choice?: EffectiveSession['tool_choice'];
  audio?: { output?: { voice?: string } };
  max_output_tokens?: number | 'inf';
}

interface ActiveResponse {
  id: string;
  modalities: ['audio'] | ['text'];
  /** Its output items, in order; the last is the one being generated. */
  output: Item[];
  /** Output items already announced done (an MCP call, before the answer that follows it). */
  doneItems: Set<Item>;
  /** Ends the MCP request it waits on, if any, when it is cancelled or the call closes. */
  abort: AbortController;
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
  /** What its context costs as input: the text of its items and instructions, and the user's speech. */
  input?: InputCost;
  /** Its answer was cut at `max_output_tokens`: it ends `incomplete`. */
  cut?: boolean;
}

/** A response's input, as the service bills it. */
interface InputCost {
  textChars: number;
  audioMs: number;
}

/** An answer's audio in the output buffer: it plays on after its response is done. */
interface Playback {
  responseId: string;
  item: Item;
  text: string;
  durationMs: number;
  playedMs: number;
}

/** What responses need of their conversation. */
export interface ResponseHost {
  readonly session: EffectiveSession;
  readonly items: ConversationItems;
  readonly conversationId: string;
  readonly speaker?: Speaker;
  readonly synthesize?: (text: string, voice: string, speed: number) => Promise<Speech>;
  /** The session's MCP servers: their listed tools, and the calls to them. */
  readonly mcp?: McpServers;
  emit: Emit;
  isClosed(): boolean;
  /** An answer is over (generated; for audio, played): server_vad's idle timeout starts counting. */
  answered(): void;
  /** What a response was given as its context (for tests: GET /__test/calls/{id} shows it). */
  sawContext?(responseId: string, context: readonly Item[]): void;
}

export class Responses {
  #response?: ActiveResponse;
  #playback?: Playback;
  #assistantHasSpoken = false;

  constructor(private readonly host: ResponseHost) {}

  /** The id of the response being generated, if one is. */
  get activeId(): string | undefined {
    return this.#response?.id;
  }

  /** Whether the conversation has assistant audio (its voice can no longer change). */
  get assistantHasSpoken(): boolean {
    return this.#assistantHasSpoken;
  }

  close(): void {
    clearInterval(this.#response?.generator);
    this.#response?.abort.abort();
    this.#playback = undefined;
  }

  async respond(params: ResponseParams): Promise<void> {
    const session = this.host.session;
    const modalities = params.output_modalities ?? session.output_modalities;
    const outOfBand = params.conversation === 'none';
    const response: ActiveResponse = {
      id: newId('resp'),
      modalities,
      output: [],
      doneItems: new Set(),
      abort: new AbortController(),
      transcriptSent: '',
      generatedMs: 0,
      finished: false,
      conversationId: outOfBand ? null : this.host.conversationId,
      metadata: params.metadata ?? null,
    };
    this.#response = response;
    this.#emit({ type: 'response.created', response: this.#responseObject(response, 'in_progress') });

    // `input` replaces the conversation as this response's context (items given inline; [] is none).
    const context = params.input ? (params.input as Item[]) : this.host.items.list;
    this.host.sawContext?.(response.id, context);
    response.input = inputCost(params.instructions ?? session.instructions, context);
    const tools = params.tools ?? session.tools;
    // The model sees an MCP server's tools once they are listed: a response waits for a listing under way.
    const listing = this.host.mcp?.whenListed(tools);
    if (listing) {
      await listing;
      if (this.#response !== response || this.host.isClosed()) return;
    }
    const approval = approvalToAct(context, this.host.items.list);
    if (approval?.approved) {
      const { server_label, name, id } = approval.request;
      const called = await this.#callMcpTool(response, server_label!, name!, approval.request.arguments!, id);
      if (!called) return;
    } else if (!approval) {
      const mcpTools = this.host.mcp?.callableTools(tools) ?? [];
      const tool = chooseTool(context, tools, params.tool_choice ?? session.tool_choice, mcpTools);
      if (tool?.type === 'function') return this.#callTool(response, tool, context);
      if (tool?.type === 'mcp') {
        const args = toolArguments({ parameters: tool.input_schema }, context);
        if (tool.requiresApproval) return this.#requestApproval(response, tool, args);
        if (!(await this.#callMcpTool(response, tool.server_label, tool.name, args))) return;
      }
    }
    return this.#answer(response, params, [...context, ...response.output.filter((i) => !context.includes(i))]);
  }

  /** The answer in words, as the response's next output item: text, or speech with its transcript. */
  async #answer(response: ActiveResponse, params: ResponseParams, context: Item[]): Promise<void> {
    const session = this.host.session;
    const modalities = response.modalities;
    let text = replyText(params.instructions ?? session.instructions, context, this.host.items.list);
    const item: Item = {
      id: newId('item'),
      type: 'message',
      object: 'realtime.item',
      status: 'in_progress',
      role: 'assistant',
      content: [],
      meta: {},
    };
    const outputIndex = this.#addOutputItem(response, item);
    const at = { response_id: response.id, item_id: item.id, output_index: outputIndex, content_index: 0 };

    const maxTokens = params.max_output_tokens ?? session.max_output_tokens;
    if (modalities[0] === 'text' || !this.host.speaker) {
      const shown = withinTokens(text, maxTokens, 'output_text', 0);
      response.cut = shown !== text;
      this.#emit({ type: 'response.content_part.added', ...at, part: { type: 'text', text: '' } });
      for (const word of words(shown)) this.#emit({ type: 'response.output_text.delta', ...at, delta: word });
      this.#emit({ type: 'response.output_text.done', ...at, text: shown });
      this.#emit({ type: 'response.content_part.done', ...at, part: { type: 'text', text: shown } });
      item.content = [{ type: 'output_text', text: shown }];
      this.#finishGenerated(response);
      return this.host.answered();
    }

    this.#emit({ type: 'response.content_part.added', ...at, part: { type: 'audio', transcript: '' } });
    const voice = params.audio?.output?.voice ?? voiceName(session);
    let speech: Speech;
    try {
      speech = await (this.host.synthesize ?? synthesize)(text, voice, session.audio.output.speed);
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
    if (this.#response !== response || this.host.isClosed()) return; // cancelled while synthesizing
    const spoken = withinTokens(text, maxTokens, 'output_audio', speech.durationMs / Math.max(1, text.length));
    if (spoken !== text) {
      // Cut at max_output_tokens: the audio to the same share of the answer as its transcript.
      const share = spoken.length / Math.max(1, text.length);
      speech = { ...speech, samples: speech.samples.slice(0, Math.round(speech.samples.length * share)) };
      speech.durationMs = Math.round(speech.durationMs * share);
      text = spoken;
      response.cut = true;
    }
    item.meta = { audioMs: speech.durationMs };
    item.content = [{ type: 'output_audio', transcript: '' }];
    this.#assistantHasSpoken = true;
    const playback: Playback = { responseId: response.id, item, text, durationMs: speech.durationMs, playedMs: 0 };
    this.#playback = playback;
    this.#emit({ type: 'output_audio_buffer.started', response_id: response.id });
    this.host.speaker!.play({
      samples: speech.samples,
      onProgress: (playedMs) => {
        playback.playedMs = playedMs;
      },
      onEnd: () => {
        if (this.#playback === playback) this.#playback = undefined;
        this.#emit({ type: 'output_audio_buffer.stopped', response_id: response.id });
        this.host.answered();
      },
    });
    this.#generate(response, text, speech.durationMs, at);
  }

  /** Server VAD barge-in: the user spoke over the answer, being generated or still playing. */
  interrupt(): void {
    this.clearPlayback();
    this.cancel('turn_detected');
  }

  /**
   * Drops the audio still to play (`output_audio_buffer.cleared`). As the service does over
   * WebRTC, the item keeps only what the user heard: its transcript cut to the audio played.
   */
  clearPlayback(): void {
    const playback = this.#playback;
    if (!playback) return;
    this.#playback = undefined;
    this.host.speaker?.clear();
    this.#emit({ type: 'output_audio_buffer.cleared', response_id: playback.responseId });
    const heard = heardPart(playback.text, playback.playedMs / Math.max(1, playback.durationMs));
    playback.item.content = [{ type: 'output_audio', transcript: heard }];
    playback.item.meta = { ...playback.item.meta, audioMs: playback.playedMs };
  }

  /**
   * Ends the response being generated. Audio already generated stays in the output buffer
   * and plays (as on the service, only `output_audio_buffer.clear` drops it).
   */
  cancel(reason: 'turn_detected' | 'client_cancelled'): void {
    const response = this.#response;
    if (!response) return;
    clearInterval(response.generator);
    const playback = this.#playback;
    if (playback?.responseId === response.id) {
      this.host.speaker?.endAt(response.generatedMs);
      playback.durationMs = Math.min(playback.durationMs, response.generatedMs);
      playback.text = response.transcriptSent;
      playback.item.content = [{ type: 'output_audio', transcript: response.transcriptSent }];
      playback.item.meta = { ...playback.item.meta, audioMs: playback.durationMs };
    }
    this.#finish(response, 'cancelled', { type: 'cancelled', reason });
  }

  /**
   * Streams the answer's transcript at GENERATION_SPEEDUP× real time, each word when the
   * audio generated has reached its share of the text, then ends the response, while the
   * audio plays on.
   */
  #generate(response: ActiveResponse, text: string, durationMs: number, at: Record<string, unknown>): void {
    const started = performance.now();
    const tick = () => {
      if (this.#response !== response || this.host.isClosed()) return clearInterval(response.generator);
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
      response.output.at(-1)!.content = [{ type: 'output_audio', transcript: text }];
      this.#finishGenerated(response);
    };
    response.generator = setInterval(tick, GENERATION_TICK_MS);
    tick();
  }

  /**
   * The response's next output item (response.output_item.added); it joins the conversation, unless
   * the response is out of band. Returns its output_index.
   */
  #addOutputItem(response: ActiveResponse, item: Item): number {
    const outputIndex = response.output.push(item) - 1;
    this.#emit({
      type: 'response.output_item.added',
      response_id: response.id,
      output_index: outputIndex,
      item: wire(item),
    });
    if (response.conversationId) this.host.items.addOutput(item);
    return outputIndex;
  }

  /** An output item is over: response.output_item.done, and conversation.item.done when it is in the conversation. */
  #itemDone(response: ActiveResponse, item: Item): void {
    if (response.doneItems.has(item)) return;
    response.doneItems.add(item);
    const outputIndex = response.output.indexOf(item);
    this.#emit({
      type: 'response.output_item.done',
      response_id: response.id,
      output_index: outputIndex,
      item: wire(item),
    });
    if (response.conversationId)
      this.#emit({
        type: 'conversation.item.done',
        previous_item_id: this.host.items.previousId(item),
        item: wire(item),
      });
  }

  /** An MCP tool that needs the user's approval: the request is the response's only output. */
  #requestApproval(response: ActiveResponse, tool: CallableMcpTool, args: string): void {
    const item: Item = {
      id: newId('mcpr'),
      type: 'mcp_approval_request',
      object: 'realtime.item',
      status: 'in_progress',
      server_label: tool.server_label,
      name: tool.name,
      arguments: args,
    };
    this.#addOutputItem(response, item);
    this.#finish(response, 'completed');
    this.host.answered();
  }

  /**
   * An MCP call as an output item: its arguments streamed, then the real tools/call on the server, then
   * its output (or error). Returns whether the response is still on (not cancelled, the call not closed).
   */
  async #callMcpTool(
    response: ActiveResponse,
    serverLabel: string,
    name: string,
    args: string,
    approvalRequestId?: string,
  ): Promise<boolean> {
    const item: Item = {
      id: newId('mcp'),
      type: 'mcp_call',
      object: 'realtime.item',
      status: 'in_progress',
      server_label: serverLabel,
      name,
      arguments: '',
      approval_request_id: approvalRequestId ?? null,
      output: null,
      error: null,
    };
    const outputIndex = this.#addOutputItem(response, item);
    const at = { response_id: response.id, item_id: item.id, output_index: outputIndex };
    for (const delta of halves(args)) this.#emit({ type: 'response.mcp_call_arguments.delta', ...at, delta });
    item.arguments = args;
    this.#emit({ type: 'response.mcp_call_arguments.done', ...at, arguments: args });
    this.#emit({ type: 'response.mcp_call.in_progress', item_id: item.id, output_index: outputIndex });
    const result = this.host.mcp
      ? await this.host.mcp.call(serverLabel, name, args, response.abort.signal)
      : { error: { type: 'tool_execution_error' as const, message: 'This emulator has no MCP client.' } };
    if (this.#response !== response || this.host.isClosed()) return false;
    if ('output' in result) {
      item.output = result.output;
      item.status = 'completed';
      this.#emit({ type: 'response.mcp_call.completed', item_id: item.id, output_index: outputIndex });
    } else {
      item.error = result.error;
      item.status = 'incomplete';
      this.#emit({ type: 'response.mcp_call.failed', item_id: item.id, output_index: outputIndex });
    }
    this.#itemDone(response, item);
    return true;
  }

  #callTool(
    response: ActiveResponse,
    tool: { name: string; parameters?: Record<string, unknown> },
    context: Item[],
  ): void {
    const args = toolArguments(tool, context);
    const item: Item = {
      id: newId('item'),
      type: 'function_call',
      object: 'realtime.item',
      status: 'in_progress',
      call_id: newId('call'),
      name: tool.name,
      arguments: '',
    };
    this.#addOutputItem(response, item);
    for (const delta of halves(args)) {
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
    this.host.answered();
  }

  /** A response generated to its end: `completed`, or `incomplete` where max_output_tokens cut it. */
  #finishGenerated(response: ActiveResponse): void {
    if (response.cut) this.#finish(response, 'incomplete', { type: 'incomplete', reason: 'max_output_tokens' });
    else this.#finish(response, 'completed');
  }

  #finish(
    response: ActiveResponse,
    status: 'completed' | 'cancelled' | 'failed' | 'incomplete',
    details?: Record<string, unknown>,
  ): void {
    if (response.finished) return;
    response.finished = true;
    response.abort.abort();
    for (const item of response.output) {
      if (response.doneItems.has(item)) continue;
      item.status = status === 'completed' ? 'completed' : 'incomplete';
      this.#itemDone(response, item);
    }
    if (this.#response === response) this.#response = undefined;
    this.#emit({ type: 'response.done', response: this.#responseObject(response, status, details) });
    this.#emit({
      type: 'rate_limits.updated',
      rate_limits: [
        {
          name: 'tokens',
          limit: 40000,
          remaining: 40000 - usageOf(response.output, response.input).total_tokens,
          reset_seconds: 1.2,
        },
      ],
    });
  }

  #responseObject(
    response: ActiveResponse,
    status: string,
    details?: Record<string, unknown>,
  ): Record<string, unknown> {
    const session = this.host.session;
    const done = status !== 'in_progress';
    return {
      object: 'realtime.response',
      id: response.id,
      status,
      status_details: details ?? null,
      output: done ? response.output.map((item) => wire(item)) : [],
      conversation_id: response.conversationId,
      output_modalities: response.modalities,
      max_output_tokens: session.max_output_tokens,
      audio: { output: { format: session.audio.output.format, voice: session.audio.output.voice } },
      usage: done ? usageOf(response.output, response.input) : null,
      metadata: response.metadata,
    };
  }

  #emit(event: ServerEvent): void {
    this.host.emit(event);
  }
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

/**
 * The longest run of `text`'s first words whose output costs at most `maxTokens`, counted as usageOf
 * counts it (the content's text, and `audioMsPerChar` of audio for each character spoken).
 */
function withinTokens(
  text: string,
  maxTokens: number | 'inf',
  type: 'output_text' | 'output_audio',
  audioMsPerChar: number,
): string {
  if (maxTokens === 'inf') return text;
  const cost = (part: string) =>
    usageOf([
      {
        content: [type === 'output_text' ? { type, text: part } : { type, transcript: part }],
        meta: { audioMs: part.length * audioMsPerChar },
      } as Item,
    ]).output_tokens;
  if (cost(text) <= maxTokens) return text;
  let kept = '';
  for (const word of words(text)) {
    if (cost(kept + word) > maxTokens) break;
    kept += word;
  }
  return kept;
}

/** A tool call's arguments as the deltas the emulator streams: two halves (one when short). */
function halves(args: string): string[] {
  const half = Math.ceil(args.length / 2);
  return [args.slice(0, half), args.slice(half)].filter(Boolean);
}

/** Splits text into deltas that keep their spaces, as the service's word-ish deltas do. */
function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [];
}

/** The text of a response's context (instructions and items) and the user's speech in it. */
function inputCost(instructions: string, context: readonly Item[]): InputCost {
  let textChars = instructions.length;
  let audioMs = 0;
  for (const item of context) {
    for (const part of item.content ?? []) textChars += (part.text ?? part.transcript ?? '').length;
    textChars += (item.arguments ?? item.output ?? '').length;
    audioMs += item.meta?.speechMs ?? 0;
  }
  return { textChars, audioMs };
}

/**
 * Tokens as the service counts them, roughly: 4 characters of text a token, 50 ms of audio a token
 * (its 20 tokens a second), and a fixed 100 for the session's own framing. The context's tokens are its
 * items', so a conversation given back to a new call costs what its text costs.
 */
function usageOf(output: readonly Item[], input: InputCost = { textChars: 0, audioMs: 0 }) {
  let outputText = 0;
  let outputAudio = 0;
  for (const item of output) {
    outputText += Math.ceil(JSON.stringify(item.content ?? item.arguments ?? '').length / 4);
    outputAudio += Math.ceil((item.meta?.audioMs ?? 0) / 50);
  }
  const inputText = 100 + Math.ceil(input.textChars / 4);
  const inputAudio = Math.ceil(input.audioMs / 50);
  return {
    total_tokens: inputText + inputAudio + outputText + outputAudio,
    input_tokens: inputText + inputAudio,
    output_tokens: outputText + outputAudio,
    input_token_details: { text_tokens: inputText, audio_tokens: inputAudio, cached_tokens: 0 },
    output_token_details: { text_tokens: outputText, audio_tokens: outputAudio },
  };
}
