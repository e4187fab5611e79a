/**
 * The connection state machine. `closing` is passed through synchronously by
 * stop(); `error` and `closed` are both resting states from which start()
 * begins a new call.
 */
export type RealtimeState = 'idle' | 'connecting' | 'connected' | 'closing' | 'closed' | 'error';

export const REALTIME_STATES: readonly RealtimeState[] = ['idle', 'connecting', 'connected', 'closing', 'closed', 'error'];

/** States in which a call exists or is being set up: start() joins it instead of opening another. */
export function isActive(state: RealtimeState): boolean {
  return state === 'connecting' || state === 'connected';
}
