/**
 * Graceful shutdown (SIGTERM, SIGINT): what a rolling deploy needs so that no caller sees a dropped
 * request. The listener stops taking connections at once; requests already in flight (a /connect
 * waiting on the service's answer takes seconds) finish and get their answer; idle keep-alive
 * sockets are closed so the drain does not wait on them; observer sockets are closed with a reason
 * (1001, "server shutting down"), and the quota and rate-limit stores last, after the calls they count.
 * Only a request still running after the drain deadline is cut, and it is counted in the log.
 */
import type { Server } from 'node:http';
import type { Logger } from 'pino';

/** How long requests in flight may take to finish before their sockets are cut (a /connect's upstream timeout is 10 s). */
export const DRAIN_DEADLINE_MS = 15_000;

/** How often the drain closes the keep-alive sockets that have become idle. */
const IDLE_SWEEP_MS = 100;

export interface ShutdownParts {
  server: Server;
  log: Logger;
  /** Closes every observer socket with a reason (observer/call-observer.ts). */
  closeObservers?: () => Promise<void>;
  /** Then: the watched calls give their quota slots back, the shared stores close. */
  closeStores?: () => Promise<unknown>;
  drainDeadlineMs?: number;
}

/** Resolves once everything is closed; `cut` counts the connections the deadline ended (0 on a clean drain). */
export async function shutDownGracefully(parts: ShutdownParts): Promise<{ cut: number; ms: number }> {
  const { server, log } = parts;
  const started = performance.now();
  let cut = 0;
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive sockets with no request on them would hold server.close() until they time out; a socket
  // whose request finishes during the drain becomes idle too, so this is repeated until the end.
  server.closeIdleConnections();
  const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
  // Answers to requests that still come on open sockets close them instead of keeping them alive.
  // Before the app's own listener: one that answers at once would have sent its headers already.
  server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
  const deadline = parts.drainDeadlineMs ?? DRAIN_DEADLINE_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<'deadline'>((resolve) => (timer = setTimeout(() => resolve('deadline'), deadline)));
  const outcome = await Promise.race([drained.then(() => 'drained' as const), timedOut]);
  clearTimeout(timer);
  clearInterval(sweep);
  if (outcome === 'deadline') {
    cut = await new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));
    log.warn({ deadlineMs: deadline }, 'requests still running at the drain deadline: their connections are cut');
    server.closeAllConnections();
  }
  // After the drain: observers keep answering their calls' tools while the last requests finish, and
  // those requests' calls have opened theirs by now.
  await parts.closeObservers?.();
  await parts.closeStores?.();
  const ms = Math.round(performance.now() - started);
  log.info({ ms, cut }, 'shut down');
  return { cut, ms };
}
