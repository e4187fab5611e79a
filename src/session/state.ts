/**
 * The connection state machine. `closing` is passed through synchronously by
 * stop(); `error` and `closed` are both resting states from which start()
 * begins a new call. `reconnecting` is a call that was lost (or renewed
 * before the service's session cap) and is being replaced by a new one.
 */
export type RealtimeState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'error';

export const REALTIME_STATES: readonly RealtimeState[] = [
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'closing',
  'closed',
  'error',
];

/** States in which a call exists or is being set up: start() joins it instead of opening another. */
export function isActive(state: RealtimeState): boolean {
  return state === 'connecting' || state === 'connected' || state === 'reconnecting';
}
