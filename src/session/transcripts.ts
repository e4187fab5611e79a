import type { ConversationItemEvent, RealtimeServerEvent } from '../events/server-events.js';

export interface TranscriptDetail {
  role: 'user' | 'assistant';
  itemId: string;
  /** The whole text of the item so far (not just the latest piece). */
  text: string;
  /** The piece that arrived with this event ('' on a final event that adds nothing). */
  delta: string;
  final: boolean;
}

/**
 * Folds the protocol's many transcript events (audio transcript, text output,
 * input transcription, typed user messages) into one stream of
 * `{role, itemId, text, final}` updates.
 */
export class TranscriptTracker {
  readonly #texts = new Map<string, string>();

  reset(): void {
    this.#texts.clear();
  }

  handle(event: RealtimeServerEvent): TranscriptDetail | undefined {
    const e = event as Record<string, unknown>;
    const itemId = typeof e.item_id === 'string' ? e.item_id : '';
    switch (event.type) {
      case 'response.output_audio_transcript.delta':
      case 'response.output_text.delta':
        return this.#append('assistant', itemId, String(e.delta ?? ''));
      case 'conversation.item.input_audio_transcription.delta':
        return this.#append('user', itemId, String(e.delta ?? ''));
      case 'response.output_audio_transcript.done':
        return this.#finish('assistant', itemId, e.transcript);
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
