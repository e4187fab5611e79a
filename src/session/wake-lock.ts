/**
 * Keeps the screen on during a call, where the Screen Wake Lock API exists: a phone that dims and
 * locks mid-conversation hides the page, and the browser may then suspend its audio or drop the
 * call. Best effort: a browser that refuses (battery saver, no permission) just lets the screen
 * sleep, as it would without the element. The lock goes with `signal` (the call's attempt).
 */
export function keepScreenAwake(signal: AbortSignal): void {
  const wakeLock = typeof navigator === 'undefined' ? undefined : navigator.wakeLock;
  if (!wakeLock || signal.aborted) return;
  let sentinel: WakeLockSentinel | undefined;
  const request = () => {
    if (signal.aborted || document.visibilityState !== 'visible' || (sentinel && !sentinel.released)) return;
    wakeLock.request('screen').then(
      (taken) => (signal.aborted ? void taken.release().catch(() => {}) : (sentinel = taken)),
      () => {},
    );
  };
  // The browser releases the lock whenever the page is hidden: take it again when it is back.
  document.addEventListener('visibilitychange', request, { signal });
  signal.addEventListener('abort', () => void sentinel?.release().catch(() => {}), { once: true });
  request();
}
