import { AttemptAborted, RealtimeError, describeUrl, httpError } from './errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface RequestOptions {
  fetch: FetchLike;
  /** Aborts when the user stops the attempt. */
  signal: AbortSignal;
  timeoutMs: number;
  stage: 'token' | 'call' | 'connect';
}

/**
 * fetch() with a deadline (the body included) and with failures turned into specific errors:
 * a hang becomes `*-timeout`, a refused connection or CORS failure becomes
 * `*-unreachable`, and a stop() by the user becomes AttemptAborted.
 */
export async function request(url: string, init: RequestInit, options: RequestOptions): Promise<Response> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const onStop = () => timeout.abort();
  options.signal.addEventListener('abort', onStop, { once: true });
  try {
    const response = await options.fetch(url, { ...init, signal: timeout.signal });
    // The body too, under the same deadline and stop(): a service that sends its headers and then
    // stalls would otherwise hang start() in `connecting` for good.
    const body = await response.text();
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(nullBody ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (error) {
    if (options.signal.aborted) throw new AttemptAborted();
    const token = options.stage === 'token';
    if (timeout.signal.aborted) {
      throw new RealtimeError(
        token ? 'token-timeout' : 'signaling-timeout',
        `${token ? 'The token service' : 'The realtime service'} (${describeUrl(url)}) did not answer within ${Math.round(options.timeoutMs / 1000)} s.`,
        { cause: error },
      );
    }
    throw new RealtimeError(
      token ? 'token-unreachable' : 'signaling-unreachable',
      `${token ? 'The token service' : 'The realtime service'} (${describeUrl(url)}) could not be reached: it may be down, the URL may be wrong, or it does not allow this origin (CORS).`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onStop);
  }
}

/** Throws the fitting error for a non-2xx answer, reading a JSON error message when present. */
export async function assertOk(response: Response, stage: 'token' | 'call' | 'connect', url: string): Promise<void> {
  if (response.ok) return;
  const { message, code } = await readServiceError(response);
  const retryAfter = Number(response.headers.get('retry-after'));
  const answer = {
    ...(code && { serverCode: code }),
    ...(retryAfter >= 0 && response.headers.has('retry-after') && { retryAfter }),
    challenge: response.headers.get('www-authenticate') ?? undefined,
  };
  throw httpError(stage, response.status, message, url, answer);
}

/** `{error:{message, code}}` (OpenAI, Azure, our server) or `{message}`; nothing for other bodies. */
async function readServiceError(response: Response): Promise<{ message?: string; code?: string }> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return {};
  }
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown; code?: unknown } | string; message?: unknown };
    if (typeof body.error === 'string') return { message: body.error };
    const code =
      typeof body.error?.code === 'string' && /^[\w.-]{1,64}$/.test(body.error.code) ? body.error.code : undefined;
    if (body.error && typeof body.error.message === 'string') return { message: body.error.message, code };
    if (typeof body.message === 'string') return { message: body.message };
  } catch {
    /* not JSON: an HTML error page or plain text tells the user nothing useful */
  }
  return {};
}

export function contentTypeOf(response: Response): string {
  return (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}
