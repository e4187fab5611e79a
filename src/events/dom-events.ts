/** The DOM events `<realtime-voice>` dispatches, for typed `addEventListener`. */
import type { RealtimeErrorDetail } from '../session/errors.js';
import type { RealtimeState } from '../session/state.js';
import type { TranscriptDetail } from '../session/transcripts.js';
import type { RealtimeServerEvent, ServerEventMap } from './server-events.js';

export interface RealtimeStateDetail {
  state: RealtimeState;
  previous: RealtimeState;
  /** With `reconnecting`: `network` (the call was lost) or `renewal` (replaced ahead of the session cap). */
  reason?: 'network' | 'renewal';
}

export interface RealtimeLevelsDetail {
  /** Microphone level, 0 to 1. */
  input: number;
  /** Assistant voice level, 0 to 1. */
  output: number;
}

/** The element's own events (kebab-case, bubbling, composed). */
export interface RealtimeVoiceOwnEventMap {
  'realtime-state': CustomEvent<RealtimeStateDetail>;
  'realtime-error': CustomEvent<RealtimeErrorDetail>;
  'realtime-transcript': CustomEvent<TranscriptDetail>;
  /** Every server event again, under one name. */
  'realtime-event': CustomEvent<RealtimeServerEvent>;
  /** With `meters`: the levels, about 30 times a second during a call. */
  'realtime-levels': CustomEvent<RealtimeLevelsDetail>;
}

/** Server events re-dispatched under their verbatim protocol type, e.g. `session.created`. */
export type RealtimeServerDomEventMap = { [K in keyof ServerEventMap]: CustomEvent<ServerEventMap[K]> };

export type RealtimeVoiceEventMap = RealtimeVoiceOwnEventMap & RealtimeServerDomEventMap;
