import { settingField, type PageSettings, type SettingAttribute } from '../events/session-settings.js';
import { RealtimeError, describeUrl } from './errors.js';
import { assertOk, contentTypeOf, request, type FetchLike } from './http.js';

/** The OpenAI GA endpoint, used in token mode when neither the token service nor `calls-url` names one. */
export const DEFAULT_CALLS_URL = 'https://api.openai.com/v1/realtime/calls';

export interface SignalingContext {
  fetch: FetchLike;
  signal: AbortSignal;
  timeoutMs: number;
}

export interface SdpAnswer {
  sdp: string;
  /** `rtc_…`, from the last path segment of `Location`, when the service sent one. */
  callId?: string;
  /** Session fields the page's server fixed (`X-Realtime-Locked` on the token or connect answer). */
  locked?: string[];
}

/**
 * How the offer reaches the service. The session does not know which one it
 * has: token mode (token service + calls URL) or connect mode (a proxy that
 * holds the credentials, so the browser never sees a token).
 */
export interface Signaling {
  /** Work that can overlap with opening the microphone (fetching a token). */
  prepare(context: SignalingContext): Promise<void>;
  exchange(offerSdp: string, context: SignalingContext): Promise<SdpAnswer>;
}

export interface SessionPreferences {
  voice?: string;
  instructions?: string;
  /** The page's session settings (attributes), sent as the request's fields (`turn_detection`, …). */
  settings?: PageSettings;
}

/** The page's credentials for its own server: sent to the token and connect URLs only, never to the service's calls URL. */
export interface PageCredentials {
  /**
   * `Authorization` for the page's server: a value, or a function called before each request (so a
   * sign-in token can be refreshed). A value without a scheme is sent as `Bearer <value>`.
   */
  authorization?: string | (() => string | undefined | null | Promise<string | undefined | null>);
  /** fetch's credentials mode for the page's server; `include` sends cookies to another origin. Default `same-origin`. */
  credentials?: RequestCredentials;
  /** Told the value each time one is sent. */
  onAuthorization?: (value: string | undefined) => void;
}

/** A request to the page's own server, with the page's credentials. */
async function withPageCredentials(
  page: PageCredentials,
  init: RequestInit & { headers: Record<string, string> },
): Promise<RequestInit> {
  let value: string | undefined | null;
  try {
    value = typeof page.authorization === 'function' ? await page.authorization() : page.authorization;
  } catch (error) {
    throw new RealtimeError(
      'sign-in-required',
      `The page's authorization function failed, so no sign-in could be sent: ${(error as Error)?.message ?? error}`,
      { cause: error },
    );
  }
  if (page.credentials && !['include', 'same-origin', 'omit'].includes(page.credentials)) {
    throw new RealtimeError(
      'request-rejected',
      `credentials must be include, same-origin or omit, not "${String(page.credentials).slice(0, 40)}".`,
    );
  }
  page.onAuthorization?.(value ?? undefined);
  const headers = { ...init.headers };
  if (value) headers.Authorization = /\s/.test(value.trim()) ? value.trim() : `Bearer ${value.trim()}`;
  return { ...init, headers, credentials: page.credentials ?? 'same-origin' };
}

export interface EphemeralToken {
  value: string;
  /** Unix seconds, when the service said. */
  expiresAt?: number;
  callsUrl?: string;
  /** Session fields the token service fixed (its `X-Realtime-Locked`). */
  locked?: string[];
}

/** Token mode: POST {voice, instructions} to the token URL, then the offer to the calls URL with the token. */
export class TokenSignaling implements Signaling {
  #token?: EphemeralToken;

  constructor(
    private readonly tokenUrl: string,
    private readonly callsUrl: string | undefined,
    private readonly preferences: SessionPreferences,
    private readonly page: PageCredentials = {},
  ) {}

  get token(): EphemeralToken | undefined {
    return this.#token;
  }

  async prepare(context: SignalingContext): Promise<void> {
    const options = { ...context, stage: 'token' as const };
    let response = await request(
      this.tokenUrl,
      await withPageCredentials(this.page, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(definedOnly(this.preferences)),
      }),
      options,
    );
    // A token service written like Microsoft's sample (`GET /token`) refuses the POST with 405:
    // ask again the way it is written, without the preferences (it sets the session itself).
    if (response.status === 405) {
      response = await request(
        this.tokenUrl,
        await withPageCredentials(this.page, { method: 'GET', headers: { Accept: 'application/json' } }),
        options,
      );
    }
    await assertOk(response, 'token', this.tokenUrl);
    this.#token = await parseTokenResponse(response, this.tokenUrl);
  }

  async exchange(offerSdp: string, context: SignalingContext): Promise<SdpAnswer> {
    const token = this.#token;
    if (!token) throw new Error('TokenSignaling.exchange() called before prepare()');
    const url = token.callsUrl ?? this.callsUrl ?? DEFAULT_CALLS_URL;
    const response = await request(
      url,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${token.value}` },
        body: offerSdp,
        // The service gets the ephemeral token and nothing of the page's: no cookies.
        credentials: 'omit',
      },
      { ...context, stage: 'call' },
    );
    const answer = await readSdpAnswer(response, 'call', url);
    // The service's answer says nothing of the page's server: what it locked came with the token.
    return { ...answer, locked: token.locked };
  }
}

/** Connect mode: the offer (and the page's preferences) go to your own server, which answers with the SDP. */
export class ConnectSignaling implements Signaling {
  constructor(
    private readonly connectUrl: string,
    private readonly preferences: SessionPreferences,
    private readonly page: PageCredentials = {},
  ) {}

  async prepare(): Promise<void> {}

  async exchange(offerSdp: string, context: SignalingContext): Promise<SdpAnswer> {
    const response = await request(
      this.connectUrl,
      await withPageCredentials(this.page, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/sdp' },
        body: JSON.stringify({ sdp: offerSdp, ...definedOnly(this.preferences) }),
      }),
      { ...context, stage: 'connect' },
    );
    return readSdpAnswer(response, 'connect', this.connectUrl);
  }
}

async function parseTokenResponse(response: Response, url: string): Promise<EphemeralToken> {
  const text = await response.text();
  const where = describeUrl(url);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const looksHtml = /^\s*</.test(text);
    throw new RealtimeError(
      'token-invalid-response',
      looksHtml
        ? `The token service (${where}) answered with an HTML page instead of JSON: the token URL probably points at a web page or a login redirect.`
        : `The token service (${where}) answered with malformed JSON.`,
      { status: response.status },
    );
  }
  const record = (body ?? {}) as Record<string, unknown>;
  // GA: {value, expires_at}; beta and some proxies: {client_secret: {value, expires_at}};
  // Microsoft's sample token service: {token}.
  const legacy = (record.client_secret ?? {}) as Record<string, unknown>;
  const value = [record.value, legacy.value, record.token].find((v) => typeof v === 'string' && v.length > 0);
  if (typeof value !== 'string' || value.length === 0) {
    throw new RealtimeError(
      'token-invalid-response',
      `The token service (${where}) answered without a token: expected {"value": "ek_…"}, {"client_secret": {"value": …}} or {"token": …}.`,
      { status: response.status },
    );
  }
  const expiresAt = numberOrUndefined(record.expires_at) ?? numberOrUndefined(legacy.expires_at);
  let callsUrl: string | undefined;
  try {
    callsUrl =
      typeof record.calls_url === 'string' && record.calls_url
        ? new URL(record.calls_url, new URL(url, globalThis.location?.href)).href
        : undefined;
  } catch (error) {
    throw new RealtimeError(
      'token-invalid-response',
      `The token service (${where}) answered with a calls_url that is not a URL.`,
      { status: response.status, cause: error },
    );
  }
  return { value, expiresAt, callsUrl, locked: lockedFields(response) };
}

async function readSdpAnswer(response: Response, stage: 'call' | 'connect', url: string): Promise<SdpAnswer> {
  await assertOk(response, stage, url);
  const type = contentTypeOf(response);
  const sdp = await response.text();
  // Checked before setRemoteDescription: an error page fed to it gives the opaque
  // "Failed to parse SessionDescription" that hides the real cause.
  if ((type !== 'application/sdp' && type !== 'text/plain' && type !== '') || !sdp.startsWith('v=')) {
    throw new RealtimeError(
      'sdp-rejected',
      `The ${stage === 'call' ? 'realtime' : 'connect'} service (${describeUrl(url)}) answered ${response.status} with ${type || 'an empty body'} instead of an SDP answer.`,
      { status: response.status },
    );
  }
  const location = response.headers.get('location');
  const callId = location ? location.split('?')[0]!.split('/').filter(Boolean).pop() : undefined;
  const locked = lockedFields(response);
  return { sdp, ...(callId ? { callId } : {}), ...(locked ? { locked } : {}) };
}

function lockedFields(response: Response): string[] | undefined {
  const header = response.headers.get('x-realtime-locked');
  return header
    ? header
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
    : undefined;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The request body's fields: the preferences set, each setting under its field name. */
function definedOnly(preferences: SessionPreferences): Record<string, unknown> {
  // JSON.stringify leaves out what is undefined (an empty voice or instructions is not sent).
  const out: Record<string, unknown> = {
    voice: preferences.voice || undefined,
    instructions: preferences.instructions || undefined,
  };
  for (const [name, value] of Object.entries(preferences.settings ?? {}))
    out[settingField(name as SettingAttribute)] = value;
  return out;
}

/** What the session needs to choose the signaling of a call. */
export interface SignalingChoice {
  signaling?: Signaling;
  connectUrl?: string;
  tokenUrl?: string;
  callsUrl?: string;
  voice?: string;
  instructions?: string;
  settings?: PageSettings;
  authorization?: PageCredentials['authorization'];
  credentials?: RequestCredentials;
  onAuthorization?: PageCredentials['onAuthorization'];
}

/** The page's own signaling, else connect mode (it wins), else token mode; neither is an error. */
export function signalingFor(o: SignalingChoice): Signaling {
  const preferences = { voice: o.voice, instructions: o.instructions, settings: o.settings };
  if (o.signaling) return o.signaling;
  const page = { authorization: o.authorization, credentials: o.credentials, onAuthorization: o.onAuthorization };
  if (o.connectUrl) return new ConnectSignaling(o.connectUrl, preferences, page);
  if (o.tokenUrl) return new TokenSignaling(o.tokenUrl, o.callsUrl, preferences, page);
  throw new RealtimeError(
    'missing-endpoint',
    'No token-url or connect-url is set, so there is nowhere to start a call. Set one of them to your token service or SDP proxy.',
  );
}

/** Deadline for each step (token, offer, ICE + data channel) unless the page sets `timeoutMs`. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** The fetch, abort signal and deadline of a call's requests. */
export function signalingContext(o: { fetch?: FetchLike; timeoutMs?: number }, signal: AbortSignal): SignalingContext {
  return {
    fetch: o.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    signal,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
}

/** The settings a token fetched ahead was fetched for: another value of any of them fetches again. */
export function warmKey(o: SignalingChoice): string {
  return JSON.stringify([o.tokenUrl, o.callsUrl, o.voice, o.instructions, o.credentials, o.settings]);
}
