import type { Attempt } from './attempt.js';
import { AttemptAborted, RealtimeError } from './errors.js';

export const DATA_CHANNEL_REFUSED =
  'The realtime service closed the event channel before the call was set up. The token may have expired; start again.';
const CONNECTION_LOST =
  'The connection to the realtime service was lost (network change, sleep, or the service went away).';
const HUNG_UP = 'The realtime service ended the call (its event channel closed). Start again to reconnect.';

export const connectionLost = () => new RealtimeError('connection-lost', CONNECTION_LOST);

/** Why this browser cannot make a call at all, if it cannot. */
export function browserProblem(): RealtimeError | undefined {
  if (globalThis.isSecureContext === false) {
    return new RealtimeError(
      'insecure-context',
      `The microphone only works on secure pages: open this page over HTTPS (or on http://localhost). It is served over plain HTTP from ${globalThis.location?.host ?? 'this host'}.`,
    );
  }
  if (typeof RTCPeerConnection === 'undefined' || !globalThis.navigator?.mediaDevices?.getUserMedia) {
    return new RealtimeError(
      'unsupported-browser',
      'This browser does not support WebRTC voice calls (RTCPeerConnection and getUserMedia are needed).',
    );
  }
  return undefined;
}

/**
 * Settles when the data channel opens (or the attempt fails or stops). `deadline()` arms the ICE
 * timeout; it is called once the answer is in, so a slow token service is not reported as a network
 * problem.
 */
export function whenOpen(
  attempt: Attempt,
  pc: RTCPeerConnection,
  dc: RTCDataChannel,
): { promise: Promise<void>; deadline: (ms: number) => void } {
  let settle!: (error?: Error) => void;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Listeners, not on* handlers: Firefox's RTCPeerConnection (implemented in JS) calls its on*
  // handlers only for events it fires itself, and listeners leave the page's own handlers alone.
  const phase = new AbortController();
  const promise = new Promise<void>((resolve, reject) => {
    settle = (error?: Error) => {
      attempt.clearTimer(timer);
      phase.abort();
      if (error) reject(error);
      else resolve();
    };
  });
  const { signal } = phase;
  dc.addEventListener('open', () => settle(), { signal });
  // Firefox closes the channel of a connection whose ICE has died, before it says `failed`.
  const onClose = () =>
    settle(lostPath(pc) ? iceFailed(pc, 'failed') : new RealtimeError('data-channel-closed', DATA_CHANNEL_REFUSED));
  dc.addEventListener('close', onClose, { signal });
  const onChange = () => pc.connectionState === 'failed' && settle(iceFailed(pc, 'failed'));
  pc.addEventListener('connectionstatechange', onChange, { signal });
  attempt.abort.signal.addEventListener('abort', () => settle(new AttemptAborted()), { once: true });
  const deadline = (ms: number) => {
    timer = attempt.setTimer(() => settle(iceFailed(pc, 'timeout', ms)), ms);
  };
  return { promise, deadline };
}

/**
 * Watches a connected call: the service hanging up or the network path failing each end it through
 * `fail`. Staying `disconnected` (the grace period) is the call part's (src/session/disconnects.ts).
 */
export function watchConnection(
  attempt: Attempt,
  pc: RTCPeerConnection,
  dc: RTCDataChannel,
  fail: (error: RealtimeError) => void,
): void {
  const { signal } = attempt.abort;
  dc.addEventListener('close', () => fail(new RealtimeError('data-channel-closed', HUNG_UP)), { signal });
  const onChange = () => (pc.connectionState === 'failed' || pc.connectionState === 'closed') && fail(connectionLost());
  pc.addEventListener('connectionstatechange', onChange, { signal });
}

/** The connection's network path is gone (ICE disconnected or failed). */
function lostPath(pc: RTCPeerConnection): boolean {
  const lost = ['disconnected', 'failed'];
  return lost.includes(pc.iceConnectionState) || lost.includes(pc.connectionState);
}

function iceFailed(pc: RTCPeerConnection, reason: 'failed' | 'timeout', timeoutMs = 0): RealtimeError {
  const ice = pc.iceConnectionState;
  const seconds = Math.round(timeoutMs / 1000);
  // connectionState, not ICE alone: it is `connected` only once DTLS is up too (Firefox reports ICE
  // `connected` to a peer whose DTLS never answers).
  if (reason === 'timeout' && pc.connectionState === 'connected') {
    return new RealtimeError(
      'data-channel-closed',
      `The network connection was made but the event channel did not open within ${seconds} s.`,
    );
  }
  const dtls = ice === 'connected' || ice === 'completed' ? ', no DTLS' : '';
  return new RealtimeError(
    'ice-failed',
    reason === 'failed'
      ? 'No network path to the realtime service could be found (ICE failed): a firewall or VPN may block UDP.'
      : `No network path to the realtime service was found within ${seconds} s (ICE ${ice}${dtls}): a firewall or VPN may block UDP.`,
  );
}
