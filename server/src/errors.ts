/**
 * The server's refusals and failures, and how they are answered: always
 * `{ error: { code, message } }` with a status (and Retry-After where one
 * helps), never a stack trace, never the provider's key or its own 401/403.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { UpstreamError } from './providers/provider.js';

/** A refusal the client caused: answered as `{ error: { code, message } }` with its status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DescribedError {
  status: number;
  code: string;
  message: string;
  retryAfter?: string;
}

/** The last error handler of the app: the JSON error answer, logged (a warning for the server's own failures). */
export function errorAnswer(log: Logger) {
  return (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const described = describeError(error);
    if (described.retryAfter) res.set('Retry-After', described.retryAfter);
    const reqLog: Logger = res.locals.log ?? log;
    if (described.status >= 500)
      reqLog.warn({ code: described.code, upstreamStatus: (error as UpstreamError).status }, described.message);
    else if (!(error instanceof HttpError)) reqLog.info({ code: described.code, path: req.path }, 'request refused');
    res.status(described.status).json({ error: { code: described.code, message: described.message } });
  };
}

export function describeError(error: unknown): DescribedError {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof UpstreamError) return describeUpstream(error);
  return (
    describeBodyError(error) ?? { status: 500, code: 'internal_error', message: 'The server failed unexpectedly.' }
  );
}

/** body-parser's errors (its `type`), which are the client's doing and must not read as a server failure. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'invalid_json', 'The request body is not valid JSON.'],
  'entity.too.large': [413, 'payload_too_large', 'The request body is too large.'],
  'encoding.unsupported': [
    415,
    'unsupported_content_encoding',
    'This Content-Encoding is not supported: send the body uncompressed (or gzip, deflate, br).',
  ],
  'charset.unsupported': [415, 'unsupported_charset', 'This charset is not supported: send the body as UTF-8.'],
  'request.aborted': [400, 'request_aborted', 'The client closed the request before its body was complete.'],
  'request.size.invalid': [400, 'invalid_content_length', 'The body is not as long as its Content-Length says.'],
};

/** A failure to read the body, as its answer; undefined for any other error. */
function describeBodyError(error: unknown): DescribedError | undefined {
  const bodyError = error as { type?: string; status?: number; expose?: boolean };
  const known = BODY_ERRORS[bodyError?.type ?? ''];
  if (known) return { status: known[0], code: known[1], message: known[2] };
  // Any other failure to read the body that body-parser marks as the client's (e.g. a corrupt gzip body).
  if (bodyError?.expose && typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
    return {
      status: bodyError.status,
      code: 'unreadable_body',
      message: 'The request body could not be read: send it uncompressed, as UTF-8.',
    };
  }
  return undefined;
}

/** Upstream failures name the operator's likely fix; never the upstream's own 401/403, which would read as the browser's fault. */
function describeUpstream(error: UpstreamError): DescribedError {
  const said =
    error.message && !error.message.startsWith('The realtime service')
      ? ` The service said: ${error.message.slice(0, 300)}`
      : '';
  switch (true) {
    case error.status === 401:
      return {
        status: 502,
        code: 'upstream_unauthorized',
        message: `The realtime service refused the server's credentials (401): check the API key, or that the identity has the Cognitive Services User role.${said}`,
      };
    case error.status === 403:
      return {
        status: 502,
        code: 'upstream_forbidden',
        message: `The realtime service refused access (403): the resource may be in a region without realtime models, or behind network rules.${said}`,
      };
    case error.status === 404:
      return {
        status: 502,
        code: 'upstream_not_found',
        message: `The realtime service answered 404: check the endpoint (…/openai/v1) and the deployment name (case-sensitive).${said}`,
      };
    case error.status === 429:
      return {
        status: 429,
        code: 'upstream_rate_limited',
        message: `The realtime service's quota or rate limit is used up (429); realtime quota is separate from chat quota.${said}`,
        retryAfter: error.retryAfter ?? '10',
      };
    case error.status === 504 && error.upstreamCode === 'timeout':
      return { status: 504, code: 'upstream_timeout', message: error.message };
    case error.upstreamCode === 'redirected':
      return {
        status: 502,
        code: 'upstream_redirected',
        message: `${error.message} Check the endpoint URL: it must be the service's own address.`,
      };
    case error.upstreamCode === 'bad_response' ||
      error.upstreamCode === 'bad_answer' ||
      error.upstreamCode === 'no_token':
      return {
        status: 502,
        code: 'upstream_bad_response',
        message: `${error.message.slice(0, 300)} Check that the endpoint is the realtime service's.`,
      };
    case error.upstreamCode === 'unreachable':
      return {
        status: 502,
        code: 'upstream_unreachable',
        message: `${error.message} Check the endpoint URL and the network.`,
      };
    case error.status === 400:
      return {
        status: 502,
        code: 'upstream_rejected',
        message: `The realtime service rejected the request (400): the session settings or the offer.${said}`,
      };
    case error.status === 503 || error.status === 504:
      return {
        status: error.status,
        code: 'upstream_unavailable',
        message: `The realtime service is unavailable (${error.status}); try again shortly.${said}`,
        retryAfter: error.retryAfter,
      };
    default:
      return { status: 502, code: 'upstream_error', message: `The realtime service failed (${error.status}).${said}` };
  }
}
