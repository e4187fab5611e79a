import type { Attempt } from './attempt.js';
import { readCallStats } from './call-stats.js';

/** How long a `disconnected` peer connection may take to recover before the call counts as lost (as the Agents SDK). */
export const DISCONNECT_GRACE_MS = 5_000;

/**
 * Watches a live call's network path for what a call part can do better than end it at once (the core's
 * watcher, src/session/health.ts, ends a call whose path `failed` or whose channel closed): staying
 * `disconnected` past the grace period (ICE consent lost) calls `lost`, and so does a page shown again
 * on a dead path (phone locked, tab switched), now rather than after the grace; playback the browser
 * paused meanwhile resumes. In the call part: it only matters to a call that can be replaced
 * (reconnection is the part's too); without the part, a dead path ends the call once ICE says `failed`.
 */
export function watchDisconnects(attempt: Attempt, pc: RTCPeerConnection, lost: () => void): void {
  const { signal } = attempt.abort;
  let grace: ReturnType<typeof setTimeout> | undefined;
  /** RTP packets of the model's voice received by the last check. */
  let heard = 0;
  const onVisible = () => {
    if (document.visibilityState !== 'visible' || attempt.disposed) return;
    // Not the core's lostPath (health.ts): a part shares no module with the core, or the build would split
    // the core into a shared chunk. `failed` needs no check here: the core's watcher ends that call.
    if (pc.connectionState === 'disconnected' || pc.iceConnectionState === 'disconnected') lost();
    else if (attempt.audio?.paused && attempt.audio.srcObject) attempt.audio.play().catch(() => {});
  };
  // The grace runs out only when no voice came in it: Firefox says `disconnected` when its consent checks
  // go unanswered on a lossy link (seen at 15 % loss) while the voice still arrives; a dead path brings none.
  // `before`: the count of the check before (-1 for the first, which only takes it).
  const check = async (before = heard) => {
    try {
      heard = (await readCallStats(pc)).packetsReceived; // callStats()'s count, so the two agree
    } catch {
      return; // the connection was closed meanwhile: its call is over
    }
    grace = undefined; // (the mark, if it was one, runs out doing nothing)
    // (A call ended meanwhile is left alone too: its timers never run, and `lost` ignores it.)
    if (pc.connectionState !== 'disconnected') return;
    if (heard > before) grace = attempt.setTimer(check, DISCONNECT_GRACE_MS);
    else lost();
  };
  const onChange = () => {
    if (pc.connectionState === 'connected') {
      attempt.clearTimer(grace);
      grace = undefined;
    } else if (pc.connectionState === 'disconnected' && !grace) {
      // Marked at once, so a second `disconnected` before the first count is in starts no second check.
      grace = attempt.setTimer(() => {}, DISCONNECT_GRACE_MS);
      void check(-1);
    }
  };
  document.addEventListener('visibilitychange', onVisible, { signal });
  pc.addEventListener('connectionstatechange', onChange, { signal });
  onChange(); // the path may have gone while the part loaded
}
