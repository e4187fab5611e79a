/**
 * The GA realtime HTTP API as Azure OpenAI (`…/openai/v1`), OpenAI
 * (`…/v1`) and the emulator all serve it: `POST {base}/realtime/client_secrets`
 * and `POST {base}/realtime/calls`. One implementation, three configurations
 * (base URL and auth header), so the emulator path exercises the same code
 * as the cloud ones.
 */
import { UpstreamError, type CallAnswer, type ClientSecret, type RealtimeProvider, type SessionRequest } from './provider.js';

export interface GaHttpOptions {
  name: RealtimeProvider['name'];
  /** e.g. https://res.openai.azure.com/openai/v1, https://api.openai.com/v1, http://127.0.0.1:3000/v1 */
  baseUrl: string;
  /** Sent on server-side requests only; never to the browser. */
  authHeaders: () => Promise<Record<string, string>> | Record<string, string>;
  /** Deployment name (Azure) or model id. */
  model: string;
  /** The calls URL as the browser must see it (defaults to the base URL's). */
  publicCallsUrl?: string;
  timeoutMs?: number;
}

export class GaHttpProvider implements RealtimeProvider {
  readonly name: RealtimeProvider['name'];
  constructor(private readonly options: GaHttpOptions) {
    this.name = options.name;
  }

  async createClientSecret(session: SessionRequest, signal?: AbortSignal): Promise<ClientSecret> {
    const body = {
      session: {
        type: 'realtime',
        model: this.options.model,
        ...(session.instructions ? { instructions: session.instructions } : {}),
        ...session.extra,
        ...(session.voice ? { audio: mergeAudio(session.extra?.audio, { output: { voice: session.voice } }) } : {}),
      },
    };
    const response = await this.#fetch('/realtime/client_secrets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(await this.options.authHeaders()) },
      body: JSON.stringify(body),
      signal,
    });
    const json = (await response.json()) as { value?: string; expires_at?: number; client_secret?: { value?: string; expires_at?: number } };
    const value = json.value ?? json.client_secret?.value;
    if (!value) throw new UpstreamError(502, undefined, 'The realtime service answered client_secrets without a token.');
    return { value, expires_at: json.expires_at ?? json.client_secret?.expires_at ?? Math.floor(Date.now() / 1000) + 60 };
  }

  async createCall(offerSdp: string, token: string, options: { filter: boolean }, signal?: AbortSignal): Promise<CallAnswer> {
    const response = await this.#fetch(`/realtime/calls${options.filter ? '?webrtcfilter=on' : ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token}` },
      body: offerSdp,
      signal,
    });
    const sdp = await response.text();
    const location = response.headers.get('location') ?? '';
    const callId = location.split('?')[0]!.split('/').filter(Boolean).pop();
    return callId ? { sdp, callId } : { sdp };
  }

  callsUrl(options: { filter: boolean }): string {
    const url = this.options.publicCallsUrl ?? `${this.options.baseUrl}/realtime/calls`;
    return options.filter ? `${url}?webrtcfilter=on` : url;
  }

  async observer(callId: string): Promise<{ url: string; headers: Record<string, string> }> {
    const url = `${this.options.baseUrl.replace(/^http/, 'ws')}/realtime?call_id=${encodeURIComponent(callId)}`;
    return { url, headers: await this.options.authHeaders() };
  }

  async #fetch(path: string, init: RequestInit): Promise<Response> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 10_000);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, { ...init, signal });
    } catch (error) {
      if (timeout.aborted) throw new UpstreamError(504, 'timeout', `The realtime service did not answer within ${(this.options.timeoutMs ?? 10_000) / 1000} s.`);
      throw new UpstreamError(502, 'unreachable', `The realtime service could not be reached (${(error as Error).message}).`);
    }
    if (!response.ok) {
      let code: string | undefined;
      let message = '';
      try {
        const body = (await response.json()) as { error?: { code?: string; message?: string } };
        code = body.error?.code;
        message = body.error?.message ?? '';
      } catch {
        /* not JSON */
      }
      throw new UpstreamError(response.status, code, message, response.headers.get('retry-after') ?? undefined);
    }
    return response;
  }
}

function mergeAudio(base: unknown, add: { output: { voice: string } }): Record<string, unknown> {
  const audio = (base && typeof base === 'object' ? base : {}) as Record<string, Record<string, unknown>>;
  return { ...audio, output: { ...(audio.output ?? {}), ...add.output } };
}
