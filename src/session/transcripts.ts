import type { TranscriptDetail } from '../events/details.js';
import type { ConversationItemEvent, RealtimeServerEvent } from '../events/server-events.js';

export type { TranscriptDetail };

/**
 * Speech rate used to tell how much of an interrupted answer was heard. The
 * service sends an answer's text faster than it is spoken, and over WebRTC
 * nothing says which word was playing when the user cut in; what is known
 * is how long the voice played. ~15 characters a second is a natural pace.
 */
const SPOKEN_CHARS_PER_SECOND = 15;

/** The start of `text` a listener heard in `ms` of speech, cut at a word, with an ellipsis (the answer was cut off). */
export function heardPart(text: string, ms: number): string {
  const chars = Math.round((ms / 1000) * SPOKEN_CHARS_PER_SECOND);
  let cut = text;
  if (chars < text.length) {
    cut = text.slice(0, chars);
    const space = cut.lastIndexOf(' ');
    if (space > 0) cut = cut.slice(0, space);
  }
  return `${cut.trimEnd()}…`;
}

/**
 * Folds the protocol's many transcript events (audio transcript, text output,
 * input transcription, typed user messages) into one stream of
 * `{role, itemId, text, final}` updates.
 */
export class TranscriptTracker {
  readonly #texts = new Map<string, string>();
  /** Assistant items cut off: later pieces of them were never heard. */
  readonly #cut = new Set<string>();
  #speakingItem = '';
  /** The whole text of the item playing: the service finishes the text long before the voice. */
  #speakingText = '';
  #speakingSince = 0;

  reset(): void {
    this.#texts.clear();
    this.#cut.clear();
    this.#speakingItem = '';
  }

  handle(event: RealtimeServerEvent): TranscriptDetail | undefined {
    const e = event as Record<string, unknown>;
    const itemId = typeof e.item_id === 'string' ? e.item_id : '';
    if (this.#cut.has(itemId)) return undefined;
    switch (event.type) {
      case 'output_audio_buffer.started':
        this.#speakingSince = performance.now();
        return undefined;
      case 'output_audio_buffer.stopped':
        // Nothing plays: a later `cleared` (interrupt() clears even when nothing plays) cuts nothing.
        this.#speakingItem = this.#speakingText = '';
        return undefined;
      case 'output_audio_buffer.cleared':
        return this.#truncate(this.#speakingItem, performance.now() - this.#speakingSince);
      case 'conversation.item.truncated':
        return this.#truncate(itemId, Number(e.audio_end_ms) || 0);
      case 'response.output_audio_transcript.delta':
        if (itemId !== this.#speakingItem) this.#speakingText = '';
        this.#speakingItem = itemId;
        return this.#append('assistant', itemId, String(e.delta ?? ''));
      case 'response.output_text.delta':
        return this.#append('assistant', itemId, String(e.delta ?? ''));
      case 'conversation.item.input_audio_transcription.delta':
        return this.#append('user', itemId, String(e.delta ?? ''));
      case 'response.output_audio_transcript.done': {
        const detail = this.#finish('assistant', itemId, e.transcript);
        if (itemId === this.#speakingItem) this.#speakingText = detail.text;
        return detail;
      }
      case 'response.output_text.done':
        return this.#finish('assistant', itemId, e.text);
      case 'conversation.item.input_audio_transcription.completed':
        return this.#finish('user', itemId, e.transcript);
      case 'conversation.item.added':
      case 'conversation.item.created':
        return this.#typedUserMessage(event as ConversationItemEvent);
      default:
        return undefined;
    }
  }

  #append(role: TranscriptDetail['role'], itemId: string, delta: string): TranscriptDetail {
    const text = (this.#texts.get(itemId) ?? '') + delta;
    this.#texts.set(itemId, text);
    return { role, itemId, text, delta, final: false };
  }

  #finish(role: TranscriptDetail['role'], itemId: string, finalText: unknown): TranscriptDetail {
    const soFar = this.#texts.get(itemId) ?? '';
    const text = typeof finalText === 'string' ? finalText : soFar;
    this.#texts.delete(itemId);
    return { role, itemId, text, delta: text.startsWith(soFar) ? text.slice(soFar.length) : text, final: true };
  }

  #truncate(itemId: string, heardMs: number): TranscriptDetail | undefined {
    const soFar = this.#texts.get(itemId) ?? (itemId === this.#speakingItem ? this.#speakingText : undefined);
    // Whatever plays next is another item: a later cut must not cut this one again.
    this.#speakingItem = this.#speakingText = '';
    if (!soFar || this.#cut.has(itemId)) return undefined;
    this.#texts.delete(itemId);
    this.#cut.add(itemId);
    return { role: 'assistant', itemId, text: heardPart(soFar, heardMs), delta: '', final: true, truncated: true };
  }

  /** A typed message (`sendText`) is final the moment it enters the conversation. */
  #typedUserMessage(event: ConversationItemEvent): TranscriptDetail | undefined {
    const item = event.item;
    if (!item || item.role !== 'user' || item.type !== 'message' || !item.id) return undefined;
    const text = (item.content ?? [])
      .filter((part) => part.type === 'input_text' && typeof part.text === 'string')
      .map((part) => part.text)
      .join('');
    if (!text) return undefined;
    return { role: 'user', itemId: item.id, text, delta: text, final: true };
  }
}
