import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeState, RealtimeUsageDetail, TranscriptDetail } from '../events/details.js';
import type { Attempt } from './attempt.js';
import type { RealtimeError } from './errors.js';
import type { RealtimeSessionOptions } from './options.js';

/**
 * What a RealtimeSession lends the jobs kept in their own modules (push-to-talk, the microphone's
 * watcher, the call part's work): its options, state and current attempt, and a few of its acts.
 * Each job takes the slice it needs (`Pick<SessionView, …>`).
 */
export interface SessionView {
  options(): RealtimeSessionOptions;
  state(): RealtimeState;
  attempt(): Attempt | undefined;
  assistantSpeaking(): boolean;
  /** Push-to-talk: the user holds the talk key. */
  talking(): boolean;
  /** Chooses the microphone of the next switch (undefined: the system's default). */
  choose(inputDeviceId: string | undefined): void;
  send(event: RealtimeClientEvent): boolean;
  interrupt(): boolean;
  /** The microphone sends only when the session says (not muted, talking in push-to-talk). */
  applyMicrophone(): void;
  /** A `realtime-error` (fatal or not, as the error says). */
  report(error: RealtimeError): void;
  /** Ends the call with this error (or replaces it, when it is worth a new call). */
  fail(attempt: Attempt, error: RealtimeError): void;
  transcript(detail: TranscriptDetail): void;
  /** A response's usage and the running totals (`realtime-usage`). */
  usage(detail: RealtimeUsageDetail): void;
  /** Replace the call by a new one ahead of the service's session cap. */
  renew(): void;
  /** The session fields the page's server locked for this call (`X-Realtime-Locked`). */
  locked(): readonly string[];
}
