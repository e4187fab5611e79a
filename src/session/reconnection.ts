/**
 * The whole retry and renewal policy of a session, with its delays named. Part of the call part
 * (src/parts/call.ts): it imports nothing at run time.
 */
import type { RealtimeErrorCode } from '../events/details.js';

/** First wait before a new call once one is lost; doubled for each further try (1 s, 2 s, 4 s…). */
export const FIRST_RETRY_DELAY_MS = 1_000;
/** New calls tried after a loss, unless the page says otherwise (`reconnect-attempts`). */
export const DEFAULT_RECONNECT_ATTEMPTS = 3;
/** A call is renewed this long before the service's `expires_at` (its 60-minute cap), at a quiet moment if one comes. */
export const RENEW_LEAD_MS = 60_000;
/** While someone speaks, renewal looks again this often for a quiet moment… */
export const QUIET_CHECK_MS = 1_000;
/** …but renews anyway once the cap is this close. */
export const RENEW_DEADLINE_MS = 5_000;

/** Losses worth a new call: the network, not a refusal (a closed channel is the service hanging up on purpose). */
const RECONNECTABLE: ReadonlySet<RealtimeErrorCode> = new Set<RealtimeErrorCode>([
  'connection-lost',
  'ice-failed',
  'session-expired',
  'token-unreachable',
  'token-timeout',
  'signaling-unreachable',
  'signaling-timeout',
  'service-unavailable',
]);

/** What the policy needs of a call: its timers die with it. */
interface CallTimers {
  setTimer(callback: () => void, ms: number): unknown;
}

export interface ReconnectionSettings {
  reconnectAttempts?: number;
  reconnectDelayMs?: number;
}

export class Reconnection {
  #retries = 0;
  #timer?: ReturnType<typeof setTimeout>;
  #cancel = () => {};

  constructor(private readonly settings: () => ReconnectionSettings) {}

  /** A new call is being waited for. */
  get waiting(): boolean {
    return this.#timer !== undefined;
  }

  canRetry(): boolean {
    return this.#retries < (this.settings().reconnectAttempts ?? DEFAULT_RECONNECT_ATTEMPTS);
  }

  /** A call that was live and ended this way is replaced by a new one. */
  shouldReconnect(code: RealtimeErrorCode, wasLive: boolean): boolean {
    return wasLive && RECONNECTABLE.has(code) && this.canRetry();
  }

  /** A start() by the page, or a reconnection that worked: the tries count from zero again. */
  reset(): void {
    this.#retries = 0;
  }

  /** Waits the backoff, and while the browser knows it is offline, until it is back; then `retry`. */
  later(retry: () => void): void {
    const delay = (this.settings().reconnectDelayMs ?? FIRST_RETRY_DELAY_MS) * 2 ** this.#retries++;
    const go = () => {
      this.cancel();
      retry();
    };
    this.#timer = setTimeout(() => {
      if (navigator.onLine === false) addEventListener('online', go, { once: true });
      else go();
    }, delay);
    this.#cancel = () => removeEventListener('online', go);
  }

  cancel(): void {
    clearTimeout(this.#timer);
    this.#cancel();
    this.#timer = undefined;
  }

  /**
   * The service ends a session at its cap (60 minutes) with an error. Ahead of it, at the first quiet
   * moment of the last minute, `renew` replaces the call by a new one.
   */
  scheduleRenewal(call: CallTimers, expiresAt: unknown, busy: () => boolean, renew: () => void): void {
    if (typeof expiresAt !== 'number' || !this.canRetry()) return;
    const capAt = expiresAt * 1000;
    const whenQuiet = () => {
      if (busy() && Date.now() < capAt - RENEW_DEADLINE_MS) call.setTimer(whenQuiet, QUIET_CHECK_MS);
      else renew();
    };
    call.setTimer(whenQuiet, Math.max(0, capAt - RENEW_LEAD_MS - Date.now()));
  }
}
