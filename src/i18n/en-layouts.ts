import type { PartWord, RealtimeVoiceStrings } from './en.js';

/** English words of the layouts part (bundled into it; other languages hold them in their own file).
 * That every word is somewhere is checked where all are put together: `englishStrings` (src/protocol.ts). */
export const layoutsWords = {
  close: 'Close',
  talkToUs: 'Talk to us',
} satisfies Partial<Pick<RealtimeVoiceStrings, PartWord>>;
