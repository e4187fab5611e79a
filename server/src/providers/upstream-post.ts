/**
 * One POST to the realtime service with undici's request() over a keep-alive
 * pool, its answer read as text. What the provider needed from fetch()
 * (which is undici too), without the WHATWG machinery around it: under /token
 * load, fetch's Request/Response objects, web streams (each made
 * transferable) and its abort signals cost the server more CPU than Express,
 * the rate limiter and the route together (bench/server.ts, profiled). The
 * same answers: no redirect followed (request() follows none), a compressed
 * answer decoded (error answers included, as fetch), a body read as UTF-8 (a
 * BOM dropped). Decoded here with node:zlib, not undici's decompress
 * interceptor: that one is experimental and says so on stderr at start-up.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';

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

/** Keep-alive connections per origin. */
const dispatcher = new Agent();

/** fetch's decoders (it asks for these and decodes them, so a gateway's choice changes nothing). */
const DECODERS: Record<string, (data: Buffer) => Buffer> = {
  gzip: gunzipSync,
  'x-gzip': gunzipSync,
  deflate: inflateSync,
  br: brotliDecompressSync,
};

/** The answer's bytes as text: each Content-Encoding undone, last applied first; UTF-8 without a BOM. */
function decode(data: Buffer, contentEncoding: string | string[] | undefined): string {
  const codings = String(contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding && coding !== 'identity');
  // A coding it does not know, and fetch decodes nothing (the bytes as they came).
  if (codings.every((coding) => coding in DECODERS))
    for (const coding of codings.reverse()) data = DECODERS[coding]!(data);
  return new TextDecoder().decode(data); // drops a BOM, as fetch's text() did
}

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
    const data = Buffer.from(await answer.body.arrayBuffer());
    return { status, headers: answerHeaders, text: decode(data, answerHeaders['content-encoding']) };
  } catch (error) {
    throw new PostError('body', error as Error);
  }
}
