import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent } from '../events/server-events.js';

/** What the element asks for when it shows a transcript and the session transcribes nobody. */
export const DEFAULT_TRANSCRIPTION_MODEL = 'gpt-4o-mini-transcribe';

/**
 * The user's side of the transcript. The service transcribes the microphone only when the session
 * asks for it (`audio.input.transcription`); a page that shows a transcript wants it, so when the
 * session the service created has none, this asks for it at once — unless the server said it fixed
 * the field (`X-Realtime-Locked: transcription_model`). It also notices a user turn the service
 * answered without any transcript of it, so the page can say so instead of showing nothing.
 */
export class UserTranscription {
  #reported = false;
  /** User audio items committed, not yet transcribed (nor failed). */
  readonly #pending = new Set<string>();
  /** Those still untranscribed when their answer was done: a later transcript clears them (it is asynchronous). */
  readonly #late = new Set<string>();

  /** One server event; returns a client event to send, and whether a turn went without a transcript (once per call). */
  onEvent(event: RealtimeServerEvent, locked: readonly string[]): { send?: RealtimeClientEvent; missing?: boolean } {
    const e = event as {
      type: string;
      item_id?: string;
      session?: { audio?: { input?: { transcription?: unknown } } };
    };
    switch (e.type) {
      case 'session.created':
        // A new call (the first, or one after a reconnection): its own turns, its own note.
        this.#reported = false;
        this.#pending.clear();
        this.#late.clear();
        if (e.session?.audio?.input?.transcription || locked.includes('transcription_model')) return {};
        return {
          send: {
            type: 'session.update',
            session: { type: 'realtime', audio: { input: { transcription: { model: DEFAULT_TRANSCRIPTION_MODEL } } } },
          } as RealtimeClientEvent,
        };
      case 'input_audio_buffer.committed':
        if (e.item_id) this.#pending.add(e.item_id);
        return {};
      case 'conversation.item.input_audio_transcription.delta':
      case 'conversation.item.input_audio_transcription.completed':
      case 'conversation.item.input_audio_transcription.failed':
        this.#pending.delete(e.item_id ?? '');
        this.#late.delete(e.item_id ?? '');
        return {};
      case 'response.done': {
        // Transcription runs beside the answer and may end after it: a turn counts as untranscribed
        // only when the answer after the next one is done too and its transcript never came.
        const missing = this.#late.size > 0 && !this.#reported;
        this.#late.clear();
        for (const id of this.#pending) this.#late.add(id);
        this.#pending.clear();
        if (missing) this.#reported = true;
        return missing ? { missing } : {};
      }
      default:
        return {};
    }
  }
}
