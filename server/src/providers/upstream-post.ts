/**
 * One POST to the realtime service over node:http(s) with keep-alive
 * connections, its answer read as text. What the provider needed from
 * fetch(), without the WHATWG machinery around it: under /token load,
 * fetch's Request/Response objects, web streams (each made transferable)
 * and its abort signals cost the server more CPU than Express, the rate
 * limiter and the route together (bench/server.ts, profiled). The same
 * answers: no redirect followed, a compressed answer decoded, a body read as
 * UTF-8 (a BOM dropped).
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';

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

/** fetch's decoders (it asks for and decodes these; so do we, so that a gateway's choice changes nothing). */
const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * POSTs `body` to `url`; resolves with the status, headers and text of the answer (any status,
 * redirects included: the caller refuses them), rejects with a PostError. `signal` aborts it.
 * Connections are kept alive by Node's global agents (keep-alive by default since Node 19).
 */
export function postText(
  url: URL,
  headers: Record<string, string>,
  body: string,
  signal: AbortSignal,
): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      headers: {
        'Accept-Encoding': url.protocol === 'https:' ? 'br, gzip, deflate' : 'gzip, deflate',
        ...headers,
        'Content-Length': String(Buffer.byteLength(body)),
      },
      signal,
    });
    request.once('error', (error) => reject(new PostError('connect', error)));
    request.once('response', (response) => {
      // After the answer has begun, a failure is a body that broke off.
      request.removeAllListeners('error');
      request.once('error', (error) => reject(new PostError('body', error)));
      readText(response).then(
        (text) => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }),
        (error: Error) => reject(new PostError('body', error)),
      );
    });
    request.end(body);
  });
}

async function readText(response: IncomingMessage): Promise<string> {
  if (REDIRECTS.has(response.statusCode ?? 0)) {
    response.resume(); // never read, and the connection is not reused for where it points
    return '';
  }
  const encoding = String(response.headers['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  const decoder = DECODERS[encoding];
  let stream: Readable = response;
  if (decoder) {
    const decoded = decoder();
    response.once('error', (error) => decoded.destroy(error));
    stream = response.pipe(decoded);
  }
  stream.setEncoding('utf8');
  let text = '';
  for await (const chunk of stream) text += chunk as string;
  // The answer ended early (the connection closed before Content-Length): fetch calls that a failure.
  if (!response.complete) throw new Error('the answer broke off');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
