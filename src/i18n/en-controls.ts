import type { RealtimeVoiceStrings } from './en.js';

/** English words of the controls part (bundled into it; other languages hold them in their own file). */
export const controlsWords = {
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  holdToTalk: 'Hold to talk',
  interrupt: 'Stop answer',
} satisfies Pick<RealtimeVoiceStrings, 'mute' | 'unmute' | 'holdToTalk' | 'interrupt'>;
