/**
 * What an element part is given, and what it gives back. A part file imports nothing at run time
 * (the classic-script build cannot share modules with it): Lit's `html`, `nothing` and `css` and the
 * element come in as arguments.
 */
import type { CSSResult, html, nothing, PropertyValues } from 'lit';
import type { RealtimeErrorCode, RealtimeState } from '../events/details.js';
import type { RealtimeServerEvent } from '../events/server-events.js';
import type { TranscriptDetail } from '../events/details.js';
import type { PageSettings } from '../events/session-settings.js';
import type { Words } from '../i18n/en.js';
import type { RealtimeVoice } from '../realtime-voice.js';
import type { Activity } from '../ui/status-words.js';

export interface PartKit {
  html: typeof html;
  nothing: typeof nothing;
  /** Lit's `css` without interpolation (a part's sheet has none): `css\`…\``. */
  css: (strings: TemplateStringsArray) => CSSResult;
}

/** The element as its parts see it: itself, and what its private side lends them. */
export interface PartHost {
  readonly element: RealtimeVoice;
  /** The words in effect (language and the page's replacements). */
  words(): Words;
  /** The panel's direction: the element's `dir`, else `rtl` for a right-to-left language; undefined: inherited. */
  dir(): string | undefined;
  /** A call is starting or running. */
  active(): boolean;
  /** Who is talking in a connected call (listening, user-speaking, thinking, assistant-speaking). */
  activity(): Activity;
  /** The status line's words as they are now. */
  status(): string;
  /** A non-fatal problem, as a `realtime-error` (and the status line's announcement). */
  report(code: RealtimeErrorCode, message: string, cause?: unknown): void;
  /** A bubbling, composed event on the element. */
  emit(type: 'realtime-levels', detail: { input: number; output: number }): void;
  /** The session settings the page set (`turn-detection`, …), by attribute name. */
  settings(): PageSettings;
}

/** One part of the widget, made for one element. Every hook is optional. */
export interface ElementPart {
  /** CSS the part adds to the element's shadow root. */
  readonly styles?: CSSResult;
  /** The panel's first row (the layouts: avatar, title, close); the core's default is the two slots alone. */
  header?(s: Words): unknown;
  /** Its piece of the panel (`panel` is the rest, for parts that wrap it: the layouts). */
  render?(s: Words, panel: unknown): unknown;
  /** Advice under the status line (the controls: "use headphones" where the microphone has no echo cancellation). */
  hint?(s: Words): unknown;
  /** start() was called, inside the user's click. */
  starting?(): void;
  state?(next: RealtimeState, previous: RealtimeState): void;
  serverEvent?(event: RealtimeServerEvent): void;
  transcript?(detail: TranscriptDetail): void;
  updated?(changed: PropertyValues<RealtimeVoice>): void;
  /** A key went down in the panel. */
  keydown?(event: KeyboardEvent): void;
  /** clearHistory() was called. */
  historyCleared?(): void;
  /** The page's `Authorization` for its server, each time it is sent (undefined: none). */
  authorized?(value: string | undefined): void;
  /** The element was put back in a document (a framework moved it). */
  connected?(): void;
  disconnected?(): void;
}

/** What each part file's default export is. */
export type PartFactory<P extends ElementPart = ElementPart> = (kit: PartKit, host: PartHost) => P;

export interface MetersPart extends ElementPart {
  readonly input: number;
  readonly output: number;
}
