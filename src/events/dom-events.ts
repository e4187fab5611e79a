/** The DOM events `<realtime-voice>` dispatches, for typed `addEventListener`. */
import type { RealtimeErrorDetail } from '../session/errors.js';
import type { RealtimeState } from '../session/state.js';
import type { TranscriptDetail } from '../session/transcripts.js';
import type { RealtimeServerEvent, ServerEventMap } from './server-events.js';

export interface RealtimeStateDetail {
  state: RealtimeState;
  previous: RealtimeState;
}

/** The element's own events (kebab-case, bubbling, composed). */
export interface RealtimeVoiceOwnEventMap {
  'realtime-state': CustomEvent<RealtimeStateDetail>;
  'realtime-error': CustomEvent<RealtimeErrorDetail>;
  'realtime-transcript': CustomEvent<TranscriptDetail>;
  /** Every server event again, under one name. */
  'realtime-event': CustomEvent<RealtimeServerEvent>;
}

/** Server events re-dispatched under their verbatim protocol type, e.g. `session.created`. */
export type RealtimeServerDomEventMap = { [K in keyof ServerEventMap]: CustomEvent<ServerEventMap[K]> };

export type RealtimeVoiceEventMap = RealtimeVoiceOwnEventMap & RealtimeServerDomEventMap;
