import type { RealtimeVoiceStrings } from './en.js';

/** English words of the transcript part (bundled into it; other languages hold them in their own file). */
export const transcriptWords = {
  noUserTranscript: "The service sent no transcript of your speech (the server's session has no input transcription).",
  message: 'Message',
  typeHere: 'Type a message…',
  send: 'Send',
  transcript: 'Transcript',
  you: 'You',
  assistant: 'Assistant',
  toolRunning: 'Working on it: {tool}…',
  toolDone: '{tool}: done.',
  toolFailed: '{tool} did not work.',
} satisfies Pick<
  RealtimeVoiceStrings,
  | 'noUserTranscript'
  | 'message'
  | 'typeHere'
  | 'send'
  | 'transcript'
  | 'you'
  | 'assistant'
  | 'toolRunning'
  | 'toolDone'
  | 'toolFailed'
>;
