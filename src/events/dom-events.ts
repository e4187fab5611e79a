/**
 * The one event map of the session and the element: each event's detail is defined once (details.ts),
 * dispatched through one typed `emit`, and listened to with the same typing on both.
 */
import type {
  RealtimeErrorDetail,
  RealtimeLevelsDetail,
  RealtimeStateDetail,
  RealtimeUsageDetail,
  TranscriptDetail,
} from './details.js';
import type { RealtimeServerEvent, ServerEventMap } from './server-events.js';

export type { RealtimeLevelsDetail, RealtimeStateDetail, RealtimeUsageDetail } from './details.js';

/** Events a RealtimeSession dispatches; the element dispatches each again on itself. */
export interface RealtimeSessionEventMap {
  'realtime-state': CustomEvent<RealtimeStateDetail>;
  'realtime-error': CustomEvent<RealtimeErrorDetail>;
  'realtime-transcript': CustomEvent<TranscriptDetail>;
  /** Every server event again, under one name. */
  'realtime-event': CustomEvent<RealtimeServerEvent>;
  /** After each response: its token usage and the running totals of the call and the conversation. */
  'realtime-usage': CustomEvent<RealtimeUsageDetail>;
}

/** The element's own events (kebab-case, bubbling, composed): the session's, and the levels. */
export interface RealtimeVoiceOwnEventMap extends RealtimeSessionEventMap {
  /** With `meters` or a `visualizer`: the levels during a call, when either changes (at most about 15 times a second; none while both hold still). */
  'realtime-levels': CustomEvent<RealtimeLevelsDetail>;
}

/** Server events re-dispatched under their verbatim protocol type, e.g. `session.created`. */
export type RealtimeServerDomEventMap = { [K in keyof ServerEventMap]: CustomEvent<ServerEventMap[K]> };

export type RealtimeVoiceEventMap = RealtimeVoiceOwnEventMap & RealtimeServerDomEventMap;

/** The detail type of an event of a map. */
export type DetailOf<M, K extends keyof M> = M[K] extends CustomEvent<infer D> ? D : never;

/**
 * `addEventListener` / `removeEventListener` typed by an event map: `(event: M[K])` for the map's
 * names, plain DOM typing for any other name. The session extends it (`typedEventTarget`); the
 * element, a LitElement, merges the same overloads into its interface.
 */
export interface TypedEventTarget<M> extends EventTarget {
  addEventListener<K extends keyof M & string>(
    type: K,
    listener: (this: this, event: M[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof M & string>(
    type: K,
    listener: (this: this, event: M[K]) => unknown,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

/** EventTarget, typed by an event map, to extend. */
export const typedEventTarget = <M>() => EventTarget as unknown as new () => TypedEventTarget<M>;
