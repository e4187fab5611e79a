import type { RealtimeVoiceStrings } from './en.js';

/** English words of the layouts part (bundled into it; other languages hold them in their own file). */
export const layoutsWords = {
  close: 'Close',
  talkToUs: 'Talk to us',
} satisfies Pick<RealtimeVoiceStrings, 'close' | 'talkToUs'>;
