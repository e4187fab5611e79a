/**
 * One POST to the realtime service with undici's request() over a keep-alive
 * pool, its answer read as text. What the provider needed from fetch()
 * (which is undici too), without the WHATWG machinery around it: under /token
 * load, fetch's Request/Response objects, web streams (each made
 * transferable) and its abort signals cost the server more CPU than Express,
 * the rate limiter and the route together (bench/server.ts, profiled). The
 * same answers: no redirect followed (request() follows none), a compressed
 * answer decoded (undici's decompress interceptor, error answers included, as
 * fetch), a body read as UTF-8 (a BOM dropped: the body's text() does).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, interceptors, request, type Dispatcher } from 'undici';

export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** Where a POST failed: before any answer (`connect`), or while its body was coming (`body`). */
export class PostError extends Error {
  constructor(
    readonly phase: 'connect' | 'body',
    cause: Error,
  ) {
    super(cause.message, { cause });
  }
}

/** The redirect statuses fetch refuses under `redirect: 'error'`. */
export const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Keep-alive connections per origin, every answer decoded as fetch decoded it (gzip, deflate, br,
 * and chains of them; the interceptor's default leaves 4xx/5xx answers encoded, fetch did not).
 */
const dispatcher: Dispatcher = new Agent().compose(interceptors.decompress({ skipErrorResponses: false }));

/**
 * POSTs `body` to `url`; resolves with the status, headers and text of the answer (any status,
 * redirects included: the caller refuses them), rejects with a PostError. `signal` aborts it.
 */
export async function postText(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<UpstreamAnswer> {
  let answer: Dispatcher.ResponseData;
  try {
    answer = await request(url, {
      dispatcher,
      method: 'POST',
      // What fetch asks for (br only over https); undici adds the Content-Length.
      headers: { 'accept-encoding': url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate', ...headers },
      body,
      signal,
    });
  } catch (error) {
    throw new PostError('connect', error as Error);
  }
  const status = answer.statusCode;
  const answerHeaders = answer.headers as IncomingHttpHeaders;
  if (REDIRECTS.has(status)) {
    // Never read: discarded (a short one; a long one closes the connection), not followed.
    answer.body.dump().catch(() => {});
    return { status, headers: answerHeaders, text: '' };
  }
  try {
    // Rejects when the answer ends early (the connection closed before Content-Length): fetch called that a failure.
    return { status, headers: answerHeaders, text: await answer.body.text() };
  } catch (error) {
    throw new PostError('body', error as Error);
  }
}
