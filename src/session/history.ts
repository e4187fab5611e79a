/**
 * The conversation a new call continues: the turns kept of the calls before (from their final
 * transcripts), and the `conversation.item.create` events that give them back to the model before
 * its first new answer. Part of the call part (src/parts/call.ts): it imports nothing at run time.
 *
 * Only text goes back: the service cannot be handed earlier audio over WebRTC, and text is what a
 * page may keep (`persist`). A user turn without a transcript is not kept (the element asks for
 * transcription when it keeps history, see UserTranscription).
 */
import type { RealtimeClientEvent } from '../events/client-events.js';
import type { HistoryTurn, TranscriptDetail } from '../events/details.js';
import type { RealtimeSessionOptions } from './options.js';

export type { HistoryTurn };

/** Turns given back to a new call unless the page says otherwise (`history-turns`). */
export const DEFAULT_HISTORY_TURNS = 20;
/** Characters given back at most (`history-chars`): about 2,000 tokens of context, a few cents an hour. */
export const DEFAULT_HISTORY_CHARS = 8_000;
/** Ids of the items given back start so: their echo (`conversation.item.added`) is not a new turn. */
export const REPLAYED_ID_PREFIX = 'rvh_';

export interface HistoryLimits {
  historyTurns?: number;
  historyChars?: number;
}

/** The turns after a final transcript: a new turn, or the same item's text replaced (a late transcript). */
export function remember(
  turns: readonly HistoryTurn[],
  detail: TranscriptDetail,
  limits: HistoryLimits,
): HistoryTurn[] {
  const text = detail.text.trim();
  if (!detail.final || !text || detail.itemId.startsWith(REPLAYED_ID_PREFIX)) return [...turns];
  const turn: HistoryTurn = { role: detail.role, text, itemId: detail.itemId };
  if (detail.truncated) turn.truncated = true;
  const kept = turns.filter((t) => t.itemId !== detail.itemId || t.role !== detail.role);
  return bounded([...kept, turn], limits);
}

/** The newest turns within both limits (the oldest go first). */
export function bounded(turns: readonly HistoryTurn[], limits: HistoryLimits): HistoryTurn[] {
  const maxTurns = Math.max(0, limits.historyTurns ?? DEFAULT_HISTORY_TURNS);
  let chars = Math.max(0, limits.historyChars ?? DEFAULT_HISTORY_CHARS);
  const out: HistoryTurn[] = [];
  for (let i = turns.length - 1; i >= 0 && out.length < maxTurns; i--) {
    chars -= turns[i]!.text.length;
    if (chars < 0) break;
    out.unshift(turns[i]!);
  }
  return out;
}

/**
 * The client events that put `turns` into a new call's conversation, oldest first. A cut-off answer
 * goes back as what was heard (without the ellipsis), marked incomplete, as the service marks it.
 */
export function replayEvents(turns: readonly HistoryTurn[]): RealtimeClientEvent[] {
  return turns.map((turn, i) => ({
    type: 'conversation.item.create',
    item: {
      // Client ids are at most 32 characters.
      id: `${REPLAYED_ID_PREFIX}${i}_${turn.itemId.slice(-20)}`,
      type: 'message',
      role: turn.role,
      ...(turn.truncated ? { status: 'incomplete' } : {}),
      content: [
        turn.role === 'user'
          ? { type: 'input_text', text: turn.text }
          : { type: 'output_text', text: turn.text.replace(/…$/, '') },
      ],
    },
  })) as RealtimeClientEvent[];
}

/** Turns read back from storage, or given by a page: anything not a turn is dropped. */
export function validTurns(value: unknown): HistoryTurn[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter(
      (t): t is HistoryTurn =>
        !!t &&
        (t.role === 'user' || t.role === 'assistant') &&
        typeof t.text === 'string' &&
        typeof t.itemId === 'string' &&
        t.text.length > 0,
    )
    .map(({ role, text, itemId, truncated }) =>
      truncated ? { role, text, itemId, truncated: true } : { role, text, itemId },
    );
}

/**
 * RealtimeSession.restoreHistory(): the valid turns, within the limits, become the conversation a next
 * call continues, and each is announced as a transcript with `restored: true` (the page's view and the
 * element's transcript show them).
 */
export function restore(
  kept: { history: HistoryTurn[] },
  turns: unknown,
  session: { options(): RealtimeSessionOptions; transcript(detail: TranscriptDetail): void },
): void {
  kept.history = bounded(validTurns(turns), session.options());
  for (const { role, itemId, text, truncated } of kept.history)
    session.transcript({ role, itemId, text, delta: text, final: true, truncated, restored: true });
}
