/**
 * A part's drawing in a worker, off the page's main thread: the page hands its canvases to a worker
 * (`transferControlToOffscreen`), then sends it what to draw; the worker's frames reach the screen
 * without a frame of the page's. The worker is the part's own file (`new Worker(import.meta.url)`: no
 * blob: or data: URL, so a strict CSP holds), which calls `serveInWorker` when it finds itself in one.
 * Where that cannot be (no OffscreenCanvas, the part inlined in the one-file build or on another
 * origin, a CSP without worker-src 'self', a worker that does not answer), the page draws itself.
 * Each part file that draws this way carries its own copy (parts share no module at run time).
 */

/** How long the page waits for its worker to say it runs before drawing itself. */
const WORKER_START_MS = 2_000;

/** What the page sends: the part's own messages, the canvases once, and `ask` for an answer. */
export type ToWorker<M> = M & { canvases?: OffscreenCanvas[]; ask?: boolean };

/** The page's handle on its drawing worker. */
export interface DrawingWorker<M> {
  send(message: M): void;
  /** The worker's answer to `message` (for tests: its pixels, the frames it drew). */
  ask(message: M): Promise<unknown>;
  dispose(): void;
}

/** True in a worker (no document): the part's file was loaded to draw, not to be a part. */
export const inWorker = typeof document === 'undefined' && typeof postMessage === 'function';

/**
 * The worker's side: says whether it can draw here (`ready`), then gives each message to `handle`,
 * the canvases first; a message with `ask` is answered with what `handle` returns.
 */
export function serveInWorker<M>(ready: boolean, handle: (message: ToWorker<M>) => unknown): void {
  const scope = self as unknown as {
    postMessage(message: unknown): void;
    onmessage: ((event: MessageEvent<ToWorker<M>>) => void) | null;
  };
  scope.onmessage = ({ data }) => {
    const answer = handle(data);
    if (data.ask) scope.postMessage({ answer });
  };
  scope.postMessage({ ready });
}

/**
 * Starts the part's file (`url`, which `file` recognises as the part's own) as the worker of
 * `canvases`; resolves with a handle that sends it what to draw, or undefined when the page should
 * draw itself (nothing was transferred then: the canvases are still the page's).
 */
export function startDrawingWorker<M>(
  url: string,
  file: RegExp,
  canvases: HTMLCanvasElement[],
): Promise<DrawingWorker<M> | undefined> {
  if (
    typeof OffscreenCanvas === 'undefined' ||
    canvases.some((canvas) => typeof canvas.transferControlToOffscreen !== 'function') ||
    // The part's own file (not the one-file build, which inlines it into a classic script).
    !file.test(url) ||
    new URL(url, location.href).origin !== location.origin
  )
    return Promise.resolve(undefined);
  let worker: Worker;
  try {
    worker = new Worker(url, { type: 'module' });
  } catch {
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const give = (handle?: DrawingWorker<M>) => {
      clearTimeout(timer);
      if (!handle) worker.terminate();
      resolve(handle);
    };
    const timer = setTimeout(give, WORKER_START_MS);
    worker.onerror = () => give();
    worker.onmessage = ({ data }) => {
      if (!data.ready) return give(); // it cannot draw there (e.g. no frame loop in this worker)
      let offscreen: OffscreenCanvas[];
      try {
        offscreen = canvases.map((canvas) => canvas.transferControlToOffscreen());
      } catch {
        return give(); // someone took a context of a canvas meanwhile: the page draws
      }
      const send = (message: ToWorker<M>, transfer: Transferable[] = []) => worker.postMessage(message, transfer);
      send({ canvases: offscreen } as ToWorker<M>, offscreen);
      /** Answers come in the order asked. */
      const answers: ((answer: unknown) => void)[] = [];
      worker.onmessage = ({ data: reply }) => answers.shift()?.(reply.answer);
      give({
        send: (message) => send(message as ToWorker<M>),
        ask: (message) =>
          new Promise((answered) => {
            answers.push(answered);
            send({ ...message, ask: true });
          }),
        dispose: () => worker.terminate(),
      });
    };
  });
}
