/**
 * The call part (`realtime-voice.call.js`): what a session does once a call runs, not needed to
 * answer the click. The session fetches it when start() (or warmUp()) is called, beside the token
 * and the microphone; server events that come before it is in are handed to it when it is.
 */
export { TranscriptTracker } from '../session/transcripts.js';
export { ToolCalls } from '../session/tools.js';
export { readCallStats } from '../session/call-stats.js';
export { keepScreenAwake } from '../session/wake-lock.js';
export { watchDisconnects } from '../session/disconnects.js';
export { Reconnection } from '../session/reconnection.js';
export { WarmToken } from '../session/warm-token.js';
export { PushToTalk } from '../session/push-to-talk.js';
export { UsageMeter } from '../session/usage.js';
export { remember, replayEvents, restore, REPLAYED_ID_PREFIX } from '../session/history.js';
export { SettingsSync } from '../session/settings.js';
