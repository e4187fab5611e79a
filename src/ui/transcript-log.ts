import type { TranscriptDetail } from '../events/details.js';

export interface TranscriptEntry {
  id: string;
  /** `notice`: a line of the widget's own (e.g. "Reconnected. The conversation goes on."). */
  role: 'user' | 'assistant' | 'notice' | 'tool';
  text: string;
  final: boolean;
  truncated?: boolean;
}

/** Entries kept on screen; older ones scroll away for good (a call can last an hour). */
const MAX_ENTRIES = 200;

/** The transcript as the widget shows it: one entry per conversation item, updated in place as text streams. */
export class TranscriptLog {
  entries: TranscriptEntry[] = [];
  #notices = 0;

  apply(detail: TranscriptDetail): void {
    const entry: TranscriptEntry = {
      id: detail.itemId,
      role: detail.role,
      text: detail.text,
      final: detail.final,
      truncated: detail.truncated,
    };
    const index = this.entries.findIndex((e) => e.id === detail.itemId && e.role === detail.role);
    if (index >= 0) this.entries[index] = entry;
    else this.entries.push(entry);
    this.#trim();
  }

  /** A tool call's row: added when it starts, its text replaced when it ends (same `id`). */
  tool(id: string, text: string, final: boolean): void {
    const index = this.entries.findIndex((e) => e.id === id);
    const entry: TranscriptEntry = { id, role: 'tool', text, final };
    if (index >= 0) this.entries[index] = entry;
    else this.entries.push(entry);
    this.#trim();
  }

  notice(text: string): void {
    this.entries.push({ id: `notice-${++this.#notices}`, role: 'notice', text, final: true });
    this.#trim();
  }

  clear(): void {
    this.entries = [];
  }

  #trim(): void {
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    this.entries = [...this.entries];
  }
}
