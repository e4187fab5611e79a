/**
 * `realtime-voice/protocol`: the GA protocol's event type lists at run time,
 * for pages that validate or route events themselves. Kept out of the main
 * entry (and so out of the drop-in bundle, whose size budget is tight); the
 * types are in the main entry.
 */
export { SERVER_EVENT_TYPES, isKnownServerEventType } from './events/server-events.js';
export { CLIENT_EVENT_TYPES } from './events/client-events.js';
