/**
 * The GA realtime API as Azure OpenAI (`…/openai/v1`), OpenAI (`…/v1`) and
 * the emulator all serve it. One implementation, configured by base URL and
 * auth, so the emulator path runs the same code as the cloud ones.
 *
 * Both requests of a call (client_secrets, then the SDP offer to calls) are
 * one plain POST each (#postFor), with the same timeout, redirect refusal and
 * error mapping: the OpenAI SDK's `realtime.calls` has no method that posts
 * an offer, and its `clientSecrets.create` cost a fifth of the server's CPU
 * under load (see #postFor). The POST itself is undici's request(), not
 * fetch (upstream-post.ts says why).
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  UpstreamError,
  type CallAnswer,
  type ClientSecret,
  type RealtimeProvider,
  type SessionRequest,
} from './provider.js';
import { PostError, postText, REDIRECTS, type UpstreamAnswer } from './upstream-post.js';

export type ProviderAuth =
  /** OpenAI, the emulator: `Authorization: Bearer <key>`. */
  | { kind: 'bearer'; key: string }
  /** Azure with a resource key: `api-key: <key>`. */
  | { kind: 'api-key'; key: string }
  /** Azure with Microsoft Entra ID: `Authorization: Bearer <token>`, the token from a provider that caches and refreshes it. */
  | { kind: 'token'; getToken: () => Promise<string> };

export interface GaProviderOptions {
  name: RealtimeProvider['name'];
  /** e.g. https://res.openai.azure.com/openai/v1, https://api.openai.com/v1, http://127.0.0.1:3000/v1 */
  baseUrl: string;
  auth: ProviderAuth;
  /** Deployment name (Azure) or model id; fixed by configuration, never by the browser. */
  model: string;
  /** The calls URL as the browser must see it (default: the base URL's). */
  publicCallsUrl?: string;
  timeoutMs: number;
}

export class GaProvider implements RealtimeProvider {
  readonly name: RealtimeProvider['name'];

  constructor(private readonly options: GaProviderOptions) {
    this.name = options.name;
  }

  /**
   * The service's error text reaches the browser and the log: whatever it echoes of the request's
   * credentials (a gateway may quote the key, or a bearer token) is removed first.
   */
  #redact(error: UpstreamError): UpstreamError {
    const auth = this.options.auth;
    let message = error.message
      .replace(/\b(Bearer|Basic)\s+[^\s,;"']+/gi, '$1 [redacted]')
      .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]');
    if (auth.kind !== 'token') message = message.split(auth.key).join('[redacted]');
    return message === error.message
      ? error
      : new UpstreamError(error.status, error.upstreamCode, message, error.retryAfter);
  }

  async createClientSecret(session: SessionRequest, signal?: AbortSignal): Promise<ClientSecret> {
    const extra = session.extra ?? {};
    const audio = mergeAudio(extra.audio, session.voice);
    const body = {
      session: {
        ...extra,
        type: 'realtime' as const,
        model: this.options.model,
        ...(session.instructions ? { instructions: session.instructions } : {}),
        ...(audio ? { audio } : {}),
      },
    };
    const { text } = await this.#postFor(
      '/realtime/client_secrets',
      { ...(await this.#serverHeaders()), 'Content-Type': 'application/json' },
      JSON.stringify(body),
      signal,
    );
    let secret: { value?: unknown; expires_at?: unknown };
    try {
      secret = JSON.parse(text) as typeof secret;
    } catch (error) {
      throw new UpstreamError(
        502,
        'bad_response',
        `The realtime service answered something unreadable (${(error as Error).message}).`,
      );
    }
    if (typeof secret?.value !== 'string' || !secret.value)
      throw new UpstreamError(502, 'no_token', 'The realtime service answered client_secrets without a token.');
    return { value: secret.value, expires_at: Number(secret.expires_at) };
  }

  async createCall(
    offerSdp: string,
    token: string,
    options: { filter: boolean },
    signal?: AbortSignal,
  ): Promise<CallAnswer> {
    const { text, headers } = await this.#postFor(
      `/realtime/calls${options.filter ? '?webrtcfilter=on' : ''}`,
      { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
      offerSdp,
      signal,
    );
    if (!text.startsWith('v='))
      throw new UpstreamError(502, 'bad_answer', 'The realtime service answered the offer without SDP.');
    const callId = String(headers.location ?? '')
      .split('?')[0]!
      .split('/')
      .filter(Boolean)
      .pop();
    return callId ? { sdp: text, callId } : { sdp: text };
  }

  /**
   * One POST to the service, as both requests of a call make it: bounded by the timeout (and the
   * caller's signal), never following a redirect (a client that follows one would carry the `api-key`
   * header to wherever it points; fetch strips only Authorization across origins), the service's error
   * status and message kept, whatever it echoes of the credentials removed. (Client secrets went
   * through the OpenAI SDK until a profile of /token under load put a fifth of the server's CPU in it:
   * 0.45 ms a request spent building and logging request details for a single POST; then through
   * fetch, until the next profile put more of it there than in Express: upstream-post.ts, now undici's
   * request() without fetch's WHATWG layer over it.)
   */
  async #postFor(
    path: string,
    headers: Record<string, string>,
    body: string,
    signal?: AbortSignal,
  ): Promise<{ text: string; headers: IncomingHttpHeaders }> {
    // A timer and one controller rather than AbortSignal.timeout()/any(): in Node 20 those make
    // transferable signals kept for the GC, which cost ~4 % of the server's CPU under load (profile).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onAbort = () => controller.abort();
    if (signal?.aborted) controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let answer: UpstreamAnswer;
    try {
      answer = await postText(new URL(`${this.options.baseUrl}${path}`), headers, body, controller.signal);
    } catch (error) {
      if (timedOut) throw timeoutError(this.options.timeoutMs);
      // The answer started and broke off (a truncated body): something unreadable, not an unreachable service.
      if (error instanceof PostError && error.phase === 'body')
        throw new UpstreamError(502, 'bad_response', `The realtime service's answer broke off (${BROKE_OFF}).`);
      throw new UpstreamError(502, 'unreachable', `The realtime service could not be reached (${NOT_REACHED}).`);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (REDIRECTS.has(answer.status)) throw redirectError();
    if (answer.status < 200 || answer.status > 299) {
      const retryAfter = answer.headers['retry-after'];
      throw this.#redact(new UpstreamError(answer.status, ...serviceError(answer.text), retryAfter));
    }
    return { text: answer.text, headers: answer.headers };
  }

  callsUrl(options: { filter: boolean }): string {
    const url = this.options.publicCallsUrl ?? `${this.options.baseUrl}/realtime/calls`;
    return options.filter ? `${url}${url.includes('?') ? '&' : '?'}webrtcfilter=on` : url;
  }

  async observer(callId: string): Promise<{ url: string; headers: Record<string, string> }> {
    const url = `${this.options.baseUrl.replace(/^http/, 'ws')}/realtime?call_id=${encodeURIComponent(callId)}`;
    return { url, headers: await this.#serverHeaders() };
  }

  async hangup(callId: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}/realtime/calls/${encodeURIComponent(callId)}/hangup`, {
        method: 'POST',
        headers: await this.#serverHeaders(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error', // as createCall: a redirect must not carry the key elsewhere
      });
    } catch (error) {
      throw new UpstreamError(
        502,
        'unreachable',
        `The realtime service could not be reached to hang up (${(error as Error).message}).`,
      );
    }
    const text = await response.text().catch(() => '');
    // 404: the call had already ended, which is what a hang-up wants.
    if (!response.ok && response.status !== 404)
      throw this.#redact(new UpstreamError(response.status, ...serviceError(text)));
  }

  /** The server's own credentials (never the browser's token): client secrets, observer and hang-up. */
  async #serverHeaders(): Promise<Record<string, string>> {
    const auth = this.options.auth;
    if (auth.kind === 'api-key') return { 'api-key': auth.key };
    if (auth.kind === 'bearer') return { Authorization: `Bearer ${auth.key}` };
    try {
      return { Authorization: `Bearer ${await auth.getToken()}` };
    } catch (error) {
      // Said as the service's 401 would be: the answer names the identity and the role to check.
      throw new UpstreamError(401, undefined, `Microsoft Entra ID gave no token (${(error as Error).message}).`);
    }
  }
}

function mergeAudio(base: unknown, voice: string | undefined): Record<string, unknown> | undefined {
  if (!voice) return base as Record<string, unknown> | undefined;
  const audio = (base && typeof base === 'object' ? base : {}) as Record<string, Record<string, unknown>>;
  return { ...audio, output: { ...(audio.output ?? {}), voice } };
}

function redirectError(): UpstreamError {
  return new UpstreamError(
    502,
    'redirected',
    'The realtime service answered with a redirect, which the server does not follow (it would carry the key elsewhere).',
  );
}

/**
 * The words in parentheses that these failures have always carried (they came from fetch's errors:
 * its "fetch failed" for any failure to connect or send, "terminated" for a body cut short); kept, so
 * that the answers and the log read as before.
 */
const NOT_REACHED = 'fetch failed';
const BROKE_OFF = 'terminated';

function timeoutError(timeoutMs: number): UpstreamError {
  return new UpstreamError(504, 'timeout', `The realtime service did not answer within ${timeoutMs / 1000} s.`);
}

function serviceError(text: string): [string | undefined, string] {
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    return [body.error?.code, body.error?.message ?? ''];
  } catch {
    return [undefined, ''];
  }
}
