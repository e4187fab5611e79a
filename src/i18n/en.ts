/** The default UI's words. Every one can be replaced through the element's `strings` property. */
export interface RealtimeVoiceStrings {
  start: string;
  retry: string;
  cancel: string;
  stop: string;
  mute: string;
  unmute: string;
  enableSound: string;
  idle: string;
  connecting: string;
  listening: string;
  userSpeaking: string;
  assistantSpeaking: string;
  muted: string;
  soundBlocked: string;
  closing: string;
  closed: string;
  /** Prefix of an announced error. */
  error: string;
}

export const en: RealtimeVoiceStrings = {
  start: 'Start conversation',
  retry: 'Try again',
  cancel: 'Cancel',
  stop: 'End conversation',
  mute: 'Mute microphone',
  unmute: 'Unmute microphone',
  enableSound: 'Enable sound',
  idle: 'Press Start and allow the microphone to talk.',
  connecting: 'Connecting…',
  listening: 'Connected. Listening — go ahead and speak.',
  userSpeaking: 'Listening to you…',
  assistantSpeaking: 'Assistant is speaking…',
  muted: 'Microphone muted: the assistant cannot hear you.',
  soundBlocked: 'The browser blocked the sound: press "Enable sound" to hear the assistant.',
  closing: 'Ending…',
  closed: 'Conversation ended.',
  error: 'Error',
};
