/**
 * `realtime-voice/protocol`: the GA protocol's event type lists at run time,
 * for pages that validate or route events themselves, and every English word
 * of the UI (`englishStrings`, a base for a translation). Kept out of the main
 * entry (and so out of the drop-in bundle, whose size budget is tight); the
 * types are in the main entry.
 */
export { SERVER_EVENT_TYPES, isKnownServerEventType } from './events/server-events.js';
export { CLIENT_EVENT_TYPES } from './events/client-events.js';

import { approvalWords } from './i18n/en-approvals.js';
import { controlsWords } from './i18n/en-controls.js';
import { devicesWords } from './i18n/en-devices.js';
import { en, type RealtimeVoiceStrings } from './i18n/en.js';
import { layoutsWords } from './i18n/en-layouts.js';
import { transcriptWords } from './i18n/en-transcript.js';

/** Every English word of the UI, the core's and each part's: what a translation (`strings`) replaces. */
export const englishStrings: RealtimeVoiceStrings = {
  ...en,
  ...controlsWords,
  ...approvalWords,
  ...transcriptWords,
  ...devicesWords,
  ...layoutsWords,
};
