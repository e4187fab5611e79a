/**
 * What the status line and the live region say, from the widget's state: one pure module, the only
 * place where state turns into words.
 */
import type { RealtimeErrorDetail, RealtimeState, ReconnectReason } from '../events/details.js';
import type { CoreWords } from '../i18n/en.js';

/** Who is talking in a connected call; `thinking`: the user's turn ended and no answer is heard yet. */
export type Activity = 'listening' | 'user-speaking' | 'thinking' | 'assistant-speaking';

/** Everything the words depend on. */
export interface StatusView {
  state: RealtimeState;
  reason?: ReconnectReason;
  error?: RealtimeErrorDetail;
  activity: Activity;
  audioBlocked: boolean;
  muted: boolean;
  talking: boolean;
  pushToTalk: boolean;
  /** The page is plain HTTP (not localhost): no microphone will be given. */
  insecure: boolean;
  /** The words are English (the built-in ones): an error shows its own detailed message. */
  english: boolean;
}

/** The status line. */
export function statusText(s: CoreWords, view: StatusView): string {
  switch (view.state) {
    case 'connecting':
      return s.connecting;
    case 'reconnecting':
      return view.reason === 'renewal' ? s.renewing : s.reconnecting;
    case 'connected':
      if (view.audioBlocked) return s.soundBlocked;
      if (view.muted) return s.muted;
      if (view.talking) return s.talking;
      if (view.activity === 'assistant-speaking') return s.assistantSpeaking;
      if (view.activity === 'user-speaking') return s.userSpeaking;
      if (view.activity === 'thinking') return s.thinking;
      return view.pushToTalk ? s.pushToTalkReady : s.listening;
    case 'closing':
      return s.closing;
    case 'closed':
      return s.closed;
    case 'error':
      return view.error ? errorText(s, view.error, view.english) : s.error;
    default:
      return view.insecure ? s.insecure : s.idle;
  }
}

/** The language's sentence for an error; English shows the error's own detailed message. */
export function errorText(s: CoreWords, error: RealtimeErrorDetail, english: boolean): string {
  if (error.code === 'quota-exceeded' && /per_day|spend_cap/.test(error.serverCode ?? '')) return s.dailyLimit;
  return s.errors[error.code] ?? (english ? error.message : s.failed.replace('{code}', error.code));
}

/** What the live region says when the state changes to `next` (undefined: nothing new to say). */
export function stateAnnouncement(
  s: CoreWords,
  next: RealtimeState,
  previous: RealtimeState,
  view: Pick<StatusView, 'reason' | 'pushToTalk' | 'audioBlocked'> & { noEchoCancellation: boolean },
): string | undefined {
  const spoken: Partial<Record<RealtimeState, string>> = {
    connecting: s.connecting,
    connected: previous === 'reconnecting' ? s.restarted : view.pushToTalk ? s.pushToTalkReady : s.listening,
    reconnecting: view.reason === 'renewal' ? s.renewing : s.reconnecting,
    closed: s.closed,
  };
  if (next === 'connected' && view.audioBlocked) return s.soundBlocked;
  if (next === 'connected' && view.noEchoCancellation) return `${spoken[next] ?? ''} ${s.useHeadphones}`.trim();
  return spoken[next];
}

/** Who is talking after this server event (unchanged for any other event). */
export function activityAfter(type: string, activity: Activity): Activity {
  switch (type) {
    case 'input_audio_buffer.speech_started':
      return 'user-speaking';
    // The turn is over (voice detection, or push-to-talk's release): the answer is being made.
    case 'input_audio_buffer.speech_stopped':
    case 'input_audio_buffer.committed':
      return activity === 'assistant-speaking' ? activity : 'thinking';
    // A typed message (or the page's response.create) asked for an answer.
    case 'response.created':
      return activity === 'listening' ? 'thinking' : activity;
    case 'output_audio_buffer.started':
      return 'assistant-speaking';
    // Barge-in clears the assistant's audio while the user still talks: they keep the turn.
    case 'output_audio_buffer.stopped':
    case 'output_audio_buffer.cleared':
      return activity === 'user-speaking' ? activity : 'listening';
    // A response that ended without being heard (text only, cancelled, failed, a tool call): nothing to wait for.
    case 'response.done':
      return activity === 'thinking' ? 'listening' : activity;
    default:
      return activity;
  }
}
