import type { RealtimeState } from '../events/details.js';

export type { RealtimeState };

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
