/**
 * realtime-voice: `<realtime-voice>` and the plain `RealtimeSession` behind it.
 * Importing this module registers the element (guarded, see define.ts).
 */
import { defineRealtimeVoice } from './define.js';

export { RealtimeVoice } from './realtime-voice.js';
export { defineRealtimeVoice } from './define.js';
export {
  RealtimeSession,
  type RealtimeSessionOptions,
  type RealtimeSessionEventMap,
} from './session/realtime-session.js';
export {
  TokenSignaling,
  ConnectSignaling,
  DEFAULT_CALLS_URL,
  type Signaling,
  type SignalingContext,
  type SdpAnswer,
  type EphemeralToken,
} from './session/signaling.js';
export { RealtimeError, type RealtimeErrorCode, type RealtimeErrorDetail } from './session/errors.js';
export { REALTIME_STATES, type RealtimeState } from './session/state.js';
export type {
  TranscriptDetail,
  ReconnectReason,
  RealtimeStateDetail,
  RealtimeLevelsDetail,
  RealtimeUsage,
  RealtimeUsageDetail,
  HistoryTurn,
} from './events/details.js';
export type { RealtimeCallStats } from './session/call-stats.js';
export type { RealtimeTool } from './session/tool-definitions.js';
export { LANGUAGES, loadLanguage } from './i18n/index.js';

export type * from './events/server-events.js';
export type * from './events/client-events.js';
export type * from './events/session-config.js';
export type * from './events/dom-events.js';
export type { RealtimeVoiceStrings } from './i18n/en.js';

defineRealtimeVoice();
