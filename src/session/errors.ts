/**
 * Every failure the session can meet, with a stable code and a sentence that
 * tells a person what most likely went wrong. Codes are public API: pages
 * switch on them (`realtime-error` → `detail.code`), so only ever add codes.
 */

import type { RealtimeErrorCode, RealtimeErrorDetail } from '../events/details.js';

export type { RealtimeErrorCode, RealtimeErrorDetail };

/** Which step of the flow failed; decides the wording of HTTP errors. */
export type RealtimeErrorStage = 'token' | 'call' | 'connect' | 'media' | 'connection' | 'session';

export class RealtimeError extends Error {
  readonly code: RealtimeErrorCode;
  readonly status?: number;
  readonly fatal: boolean;
  readonly serverCode?: string;
  readonly retryAfter?: number;

  constructor(
    code: RealtimeErrorCode,
    message: string,
    options: { status?: number; cause?: unknown; fatal?: boolean; serverCode?: string; retryAfter?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RealtimeError';
    this.code = code;
    this.status = options.status;
    this.fatal = options.fatal ?? true;
    this.serverCode = options.serverCode;
    this.retryAfter = options.retryAfter;
  }

  /** The same error, reported as one the call goes on after. */
  nonFatal(): RealtimeError {
    return new RealtimeError(this.code, this.message, { status: this.status, cause: this.cause, fatal: false });
  }

  toDetail(): RealtimeErrorDetail {
    const detail: RealtimeErrorDetail = { code: this.code, message: this.message, fatal: this.fatal };
    if (this.status !== undefined) detail.status = this.status;
    if (this.cause !== undefined) detail.cause = this.cause;
    if (this.serverCode) detail.serverCode = this.serverCode;
    if (this.retryAfter !== undefined) detail.retryAfter = this.retryAfter;
    return detail;
  }
}

const STAGE_NAME: Record<'token' | 'call' | 'connect', string> = {
  token: 'The token service',
  call: 'The realtime service',
  connect: 'The connect service',
};

/**
 * Turns a non-success HTTP answer into an error whose message names the likely
 * cause, following the troubleshooting list of the Azure WebRTC guide.
 * `serviceMessage` is the `error.message` of a JSON body, when there was one.
 */
export function httpError(
  stage: 'token' | 'call' | 'connect',
  status: number,
  serviceMessage: string | undefined,
  url: string,
  answer: ServerAnswer = {},
): RealtimeError {
  const who = STAGE_NAME[stage];
  const { serverCode, retryAfter } = answer;
  const said = serviceMessage ? ` It said: "${truncate(serviceMessage, 200)}"` : '';
  const at = ` (${describeUrl(url)})`;
  let code: RealtimeErrorCode;
  let why: string;
  switch (true) {
    // The page's own server asking for a sign-in (a Bearer challenge): the page can sign the user in again.
    case status === 401 && stage !== 'call' && /^bearer\b/i.test(answer.challenge ?? ''):
      code = 'sign-in-required';
      why = `answered 401: sign in again (${serverCode ?? 'the sign-in is missing or was not accepted'}).`;
      break;
    case status === 429 && /^(quota_|spend_cap)/.test(serverCode ?? ''):
      code = 'quota-exceeded';
      why = `answered 429: a usage limit is reached (${serverCode}).`;
      break;
    case status === 401:
      code = 'unauthorized';
      why =
        stage === 'call'
          ? 'answered 401: the ephemeral token is invalid or has expired. Start again to fetch a fresh one.'
          : "answered 401 Unauthorized: this page is not allowed to start a call, or the server's API key / Entra ID role (Cognitive Services User) is wrong.";
      break;
    case status === 403:
      code = 'forbidden';
      why =
        'answered 403 Forbidden: the resource may be in a region without realtime models (East US 2 or Sweden Central), behind network rules, or this origin is not allowed.';
      break;
    case status === 404:
      code = 'not-found';
      why =
        stage === 'token'
          ? 'answered 404 Not Found: check the token URL, or the deployment name (it is case-sensitive).'
          : 'answered 404 Not Found: check the URL (GA paths contain /v1/realtime/calls) and the deployment name (case-sensitive).';
      break;
    case stage === 'token' && status === 405:
      // Only after the GET the element tries when a POST is refused (see TokenSignaling).
      code = 'request-rejected';
      why = 'answered 405 Method Not Allowed to a POST and to a GET: check the token URL.';
      break;
    case status === 429:
      code = 'rate-limited';
      why =
        'answered 429 Too Many Requests: a rate limit or the realtime quota (separate from chat quota) is used up. Wait and try again.';
      break;
    case status >= 500:
      code = 'service-unavailable';
      why = `answered ${status}: the service is failing or cannot reach the realtime service. Try again shortly.`;
      break;
    case stage !== 'token' && (status === 400 || status === 415 || status === 422):
      code = 'sdp-rejected';
      why = `rejected the connection offer (${status}): the SDP or the session settings were not accepted.`;
      break;
    default:
      code = 'request-rejected';
      why = `answered ${status}: the request was rejected.`;
  }
  return new RealtimeError(code, `${who}${at} ${why}${said}`, {
    status,
    cause: serviceMessage,
    serverCode,
    retryAfter,
  });
}

/** What a refusal said besides its status: its JSON `error.code`, `Retry-After` (seconds) and `WWW-Authenticate`. */
export interface ServerAnswer {
  serverCode?: string;
  retryAfter?: number;
  challenge?: string;
}

/** Maps getUserMedia's DOMException names to our codes. */
export function microphoneError(error: unknown): RealtimeError {
  const name = error instanceof DOMException || error instanceof Error ? error.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return new RealtimeError(
        'microphone-denied',
        'Microphone access was denied. Allow the microphone for this site (the icon in the address bar) and start again.',
        { cause: error },
      );
    case 'NotFoundError':
    case 'OverconstrainedError':
      return new RealtimeError(
        'microphone-not-found',
        'No microphone was found. Connect one (or choose another input device) and start again.',
        {
          cause: error,
        },
      );
    case 'NotReadableError':
    case 'AbortError':
      return new RealtimeError(
        'microphone-busy',
        'The microphone could not be opened: another application may be using it, or the device failed.',
        { cause: error },
      );
    default:
      return new RealtimeError('microphone-denied', `The microphone could not be opened (${name || String(error)}).`, {
        cause: error,
      });
  }
}

/** An error a caller created on purpose to end an attempt quietly (stop() during connect). */
export class AttemptAborted extends Error {
  constructor() {
    super('The connection attempt was stopped.');
    this.name = 'AttemptAborted';
  }
}

export function toRealtimeError(error: unknown, fallback: RealtimeErrorCode, message: string): RealtimeError {
  if (error instanceof RealtimeError) return error;
  return new RealtimeError(fallback, message, { cause: error });
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Origin + path only: never echo query strings, which may hold secrets. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url, globalThis.location?.href);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}
