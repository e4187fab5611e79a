import type { RealtimeVoiceStrings } from './en.js';

/** English words of the devices part (bundled into it; other languages hold them in their own file). */
export const devicesWords = {
  microphone: 'Microphone',
  speaker: 'Speaker',
  defaultDevice: 'System default',
  otherSpeaker: 'Choose another…',
} satisfies Pick<RealtimeVoiceStrings, 'microphone' | 'speaker' | 'defaultDevice' | 'otherSpeaker'>;
