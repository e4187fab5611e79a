/**
 * What the reference server needs from a realtime service, whichever it is
 * (Azure OpenAI, OpenAI, the emulator): mint an ephemeral token for a
 * session, post an SDP offer, and say where the browser and the observer go.
 */
export interface SessionRequest {
  instructions?: string;
  voice?: string;
  /** Other GA session fields the server's policy adds (turn detection, transcription, tools…). */
  extra?: Record<string, unknown>;
}

export interface ClientSecret {
  value: string;
  /** Unix seconds. */
  expires_at: number;
}

export interface CallAnswer {
  sdp: string;
  /** The `rtc_…` id from `Location`, when the service sent one. */
  callId?: string;
}

export interface RealtimeProvider {
  readonly name: 'emulator' | 'azure' | 'openai';
  createClientSecret(session: SessionRequest, signal?: AbortSignal): Promise<ClientSecret>;
  /** Posts the offer with an ephemeral token (the connect route). */
  createCall(offerSdp: string, token: string, options: { filter: boolean }, signal?: AbortSignal): Promise<CallAnswer>;
  /** The calls URL a browser in token mode posts its offer to. */
  callsUrl(options: { filter: boolean }): string;
  /** WebSocket URL and (server-side) headers of the observer/controller of a call. */
  observer(callId: string): Promise<{ url: string; headers: Record<string, string> }>;
  /** Ends a call with the server's key (`POST calls/{id}/hangup`): call length limits and quotas. */
  hangup(callId: string): Promise<void>;
}

/** A failed upstream request, with what the operator needs to fix it. */
export class UpstreamError extends Error {
  constructor(
    readonly status: number,
    readonly upstreamCode: string | undefined,
    message: string,
    readonly retryAfter?: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}
