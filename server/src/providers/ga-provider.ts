/**
 * The GA realtime API as Azure OpenAI (`…/openai/v1`), OpenAI (`…/v1`) and
 * the emulator all serve it. One implementation, configured by base URL and
 * auth, so the emulator path runs the same code as the cloud ones.
 *
 * Client secrets go through the official `openai` SDK (its
 * `realtime.clientSecrets.create`, which takes Azure's `/openai/v1` as base
 * URL). The SDP offer is posted by hand: the SDK's `realtime.calls`
 * resource only has accept/hangup/refer/reject (SIP control), no method that
 * posts an offer and returns the answer.
 */
import OpenAI from 'openai';
import {
  UpstreamError,
  type CallAnswer,
  type ClientSecret,
  type RealtimeProvider,
  type SessionRequest,
} from './provider.js';

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
  readonly #client: OpenAI;

  constructor(private readonly options: GaProviderOptions) {
    this.name = options.name;
    const auth = options.auth;
    this.#client = new OpenAI({
      baseURL: options.baseUrl,
      apiKey: auth.kind === 'token' ? auth.getToken : auth.key,
      // Azure keys travel as `api-key`; null removes the SDK's Authorization header.
      defaultHeaders: auth.kind === 'api-key' ? { 'api-key': auth.key, Authorization: null } : undefined,
      timeout: options.timeoutMs,
      maxRetries: 0,
      // fetch would follow a redirect and carry the `api-key` header to wherever it points (it strips
      // only Authorization across origins): an upstream redirect must fail, never leak the key.
      fetchOptions: { redirect: 'error' },
    });
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
    try {
      const secret = await this.#client.realtime.clientSecrets.create(
        body as OpenAI.Realtime.ClientSecretCreateParams,
        { signal },
      );
      if (!secret.value)
        throw new UpstreamError(502, 'no_token', 'The realtime service answered client_secrets without a token.');
      return { value: secret.value, expires_at: secret.expires_at };
    } catch (error) {
      throw this.#redact(toUpstreamError(error, this.options.timeoutMs));
    }
  }

  async createCall(
    offerSdp: string,
    token: string,
    options: { filter: boolean },
    signal?: AbortSignal,
  ): Promise<CallAnswer> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}/realtime/calls${options.filter ? '?webrtcfilter=on' : ''}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
        body: offerSdp,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        redirect: 'error',
      });
    } catch (error) {
      if (timeout.aborted) throw timeoutError(this.options.timeoutMs);
      throw redirected(error)
        ? redirectError()
        : new UpstreamError(
            502,
            'unreachable',
            `The realtime service could not be reached (${(error as Error).message}).`,
          );
    }
    const text = await response.text().catch(() => '');
    if (!response.ok)
      throw this.#redact(
        new UpstreamError(response.status, ...serviceError(text), response.headers.get('retry-after') ?? undefined),
      );
    if (!text.startsWith('v='))
      throw new UpstreamError(502, 'bad_answer', 'The realtime service answered the offer without SDP.');
    const callId = (response.headers.get('location') ?? '').split('?')[0]!.split('/').filter(Boolean).pop();
    return callId ? { sdp: text, callId } : { sdp: text };
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

  /** The server's own credentials (never the browser's token): observer and hang-up. */
  async #serverHeaders(): Promise<Record<string, string>> {
    const auth = this.options.auth;
    return auth.kind === 'api-key'
      ? { 'api-key': auth.key }
      : { Authorization: `Bearer ${auth.kind === 'token' ? await auth.getToken() : auth.key}` };
  }
}

function mergeAudio(base: unknown, voice: string | undefined): Record<string, unknown> | undefined {
  if (!voice) return base as Record<string, unknown> | undefined;
  const audio = (base && typeof base === 'object' ? base : {}) as Record<string, Record<string, unknown>>;
  return { ...audio, output: { ...(audio.output ?? {}), voice } };
}

function toUpstreamError(error: unknown, timeoutMs: number): UpstreamError {
  if (error instanceof UpstreamError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError) return timeoutError(timeoutMs);
  if (error instanceof OpenAI.APIConnectionError && redirected(error)) return redirectError();
  if (error instanceof OpenAI.APIConnectionError)
    return new UpstreamError(502, 'unreachable', `The realtime service could not be reached (${error.message}).`);
  if (error instanceof OpenAI.APIError && error.status) {
    const body = error.error as { code?: string; message?: string } | undefined;
    return new UpstreamError(
      error.status,
      body?.code ?? undefined,
      body?.message ?? '',
      error.headers?.get('retry-after') ?? undefined,
    );
  }
  if (error instanceof OpenAI.APIError)
    return new UpstreamError(
      502,
      'bad_response',
      `The realtime service answered something unreadable (${error.message}).`,
    );
  return new UpstreamError(
    502,
    'bad_response',
    `The realtime service failed: ${(error as Error)?.message ?? String(error)}`,
  );
}

/** fetch refused to follow a redirect (`redirect: 'error'`); the reason sits somewhere in the cause chain. */
function redirected(error: unknown): boolean {
  for (
    let e = error as { message?: string; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (/redirect/i.test(String(e.message))) return true;
  }
  return false;
}

function redirectError(): UpstreamError {
  return new UpstreamError(
    502,
    'redirected',
    'The realtime service answered with a redirect, which the server does not follow (it would carry the key elsewhere).',
  );
}

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
