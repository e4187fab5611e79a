import type { PartWord, RealtimeVoiceStrings } from './en.js';

/** English words of the devices part (bundled into it; other languages hold them in their own file).
 * That every word is somewhere is checked where all are put together: `englishStrings` (src/protocol.ts). */
export const devicesWords = {
  microphone: 'Microphone',
  speaker: 'Speaker',
  defaultDevice: 'System default',
  otherSpeaker: 'Choose another…',
} satisfies Partial<Pick<RealtimeVoiceStrings, PartWord>>;
