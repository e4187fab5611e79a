import type { RealtimeErrorCode } from '../session/errors.js';

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
  /** Between the end of the user's turn and the first sound of the answer. */
  thinking: string;
  muted: string;
  soundBlocked: string;
  /** While connected, where the microphone has no echo cancellation. */
  useHeadphones: string;
  /** While the call's network path is interrupted (ICE disconnected) and may still come back. */
  networkInterrupted: string;
  closing: string;
  closed: string;
  /** Prefix of an announced error. */
  error: string;
  /** The call was lost and a new one is being set up. */
  reconnecting: string;
  /** The call is replaced ahead of the service's session time limit. */
  renewing: string;
  /** Said (and written in the transcript) when a replacement call is up. */
  restarted: string;
  /** Written in the transcript when a user turn was answered and the service sent no transcript of it. */
  noUserTranscript: string;
  /** Push-to-talk button and status. */
  holdToTalk: string;
  talking: string;
  pushToTalkReady: string;
  /** Cuts off the assistant's answer. */
  interrupt: string;
  /** An MCP tool asks to run: `{server}` and `{tool}` are replaced. */
  approvalAsk: string;
  /** The arguments the tool would get. */
  approvalArguments: string;
  approve: string;
  deny: string;
  /** Text input: label, placeholder, button. */
  message: string;
  typeHere: string;
  send: string;
  /** Names of the transcript region and its speakers. */
  transcript: string;
  you: string;
  assistant: string;
  /** A tool the model called is running / answered / failed, as a transcript row; `{tool}` is its name. */
  toolRunning: string;
  toolDone: string;
  toolFailed: string;
  /** Device pickers. */
  microphone: string;
  speaker: string;
  defaultDevice: string;
  /** Where the browser lets the user pick a speaker itself (selectAudioOutput: Firefox). */
  otherSpeaker: string;
  /** Floating launcher: open / close the panel. */
  open: string;
  close: string;
  /** The floating launcher card's default title. */
  talkToUs: string;
  /** Shown before a click when the page is not HTTPS (the microphone cannot work). */
  insecure: string;
  /** Fallback for an error the language has no sentence for; `{code}` is replaced. */
  failed: string;
  /** A per-day quota or the site's daily spend cap is reached (`quota-exceeded` with a `…_per_day` or `spend_cap…` server code). */
  dailyLimit: string;
  /**
   * Error sentences by code. English shows each error's own detailed message instead, except where
   * the user can act on it better in plain words (sign in again, a usage limit).
   */
  errors: Partial<Record<RealtimeErrorCode, string>>;
}

/**
 * Words only a part shows: their English is in that part's file (src/i18n/en-<part>.ts, bundled into the
 * part), so a page that does not use the part does not download them. The other languages hold every word.
 */
export type PartWord =
  | 'mute'
  | 'unmute'
  | 'holdToTalk'
  | 'interrupt'
  | 'enableSound'
  | 'networkInterrupted'
  | 'approvalAsk'
  | 'approvalArguments'
  | 'approve'
  | 'deny'
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
  | 'microphone'
  | 'speaker'
  | 'defaultDevice'
  | 'otherSpeaker'
  | 'close'
  | 'talkToUs';

/** The words the core shows itself: English of these is in the bundle a page loads first. */
export type CoreWords = Omit<RealtimeVoiceStrings, PartWord>;

/** The words in effect: a loaded language has them all; English only the core's (each part adds its own). */
export type Words = CoreWords & Partial<Pick<RealtimeVoiceStrings, PartWord>>;

export const en: CoreWords = {
  start: 'Start conversation',
  retry: 'Try again',
  cancel: 'Cancel',
  stop: 'End conversation',
  idle: 'Press Start and allow the microphone to talk.',
  connecting: 'Connecting…',
  listening: 'Connected. Listening — go ahead and speak.',
  userSpeaking: 'Listening to you…',
  assistantSpeaking: 'Assistant is speaking…',
  thinking: 'Thinking…',
  muted: 'Microphone muted: the assistant cannot hear you.',
  soundBlocked: 'The browser blocked the sound: press "Enable sound" to hear the assistant.',
  useHeadphones: 'This browser does not cancel echo here: use headphones, or the assistant may hear itself.',
  closing: 'Ending…',
  closed: 'Conversation ended.',
  error: 'Error',
  reconnecting: 'Connection lost. Reconnecting…',
  renewing: 'Renewing the session (time limit reached)…',
  restarted: 'Reconnected. The conversation goes on.',
  talking: 'Talking… release to send.',
  pushToTalkReady: 'Connected. Hold the talk button (or Space) while you speak.',
  open: 'Talk to the assistant',
  insecure: 'Voice needs a secure page: open it over HTTPS (or localhost).',
  failed: 'Something went wrong ({code}).',
  dailyLimit: 'The daily limit is reached: try again tomorrow.',
  errors: {
    'sign-in-required': 'Please sign in again to start a conversation.',
    'quota-exceeded': 'The limit for conversations is reached: try again later.',
  },
};
