import type { PartWord, RealtimeVoiceStrings } from './en.js';

/** English words of the controls part (bundled into it; other languages hold them in their own file).
 * That every word is somewhere is checked where all are put together: `englishStrings` (src/protocol.ts). */
export const controlsWords = {
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  holdToTalk: 'Hold to talk',
  interrupt: 'Stop answer',
  enableSound: 'Enable sound',
  networkInterrupted: 'The network connection is interrupted: waiting for it to come back…',
} satisfies Partial<Pick<RealtimeVoiceStrings, PartWord>>;
