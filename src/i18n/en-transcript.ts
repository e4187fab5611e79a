import type { PartWord, RealtimeVoiceStrings } from './en.js';

/** English words of the transcript part (bundled into it; other languages hold them in their own file).
 * That every word is somewhere is checked where all are put together: `englishStrings` (src/protocol.ts). */
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
} satisfies Partial<Pick<RealtimeVoiceStrings, PartWord>>;
