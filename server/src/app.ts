/**
 * createApp(config, deps) builds the Express app without listening (tests
 * import it; index.ts and `npm start` serve it). Routes: POST /token,
 * POST /connect, GET /healthz. Errors: `{ error: { code, message } }`.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { DEFAULT_CONFIG, VOICES, type ServerConfig } from './config.js';
import { UpstreamError, type RealtimeProvider, type SessionRequest } from './providers/provider.js';

export interface AppDeps {
  provider: RealtimeProvider;
  /** Told about every call made through /connect (the observer hooks in here). */
  onCall?: (callId: string) => void;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function createApp(config: Partial<ServerConfig>, deps: AppDeps): express.Express {
  const cfg: ServerConfig = { ...DEFAULT_CONFIG, ...config };
  const app = express();
  app.disable('x-powered-by');

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, provider: deps.provider.name });
  });

  app.post('/token', express.json({ limit: '16kb' }), async (req, res) => {
    const session = sessionFrom(req.body, cfg);
    const secret = await deps.provider.createClientSecret(session);
    res.set('Cache-Control', 'no-store').json({ value: secret.value, expires_at: secret.expires_at, calls_url: deps.provider.callsUrl({ filter: cfg.webrtcFilter }) });
  });

  app.post('/connect', express.text({ type: 'application/sdp', limit: '64kb' }), express.json({ limit: '80kb' }), async (req, res) => {
    const body = req.body as unknown;
    const json = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
    const sdp = typeof body === 'string' ? body : typeof json?.sdp === 'string' ? json.sdp : '';
    if (!sdp.startsWith('v=')) throw new HttpError(400, 'invalid_offer', 'Send the SDP offer as application/sdp, or JSON {"sdp": "v=0…"}.');
    const session = sessionFrom(json ?? {}, cfg);
    const secret = await deps.provider.createClientSecret(session);
    const answer = await deps.provider.createCall(sdp, secret.value, { filter: cfg.webrtcFilter });
    if (answer.callId) {
      deps.onCall?.(answer.callId);
      // The call id is no secret; the page may want it (logs, support). Same shape as the service's.
      res.set('Location', `/v1/realtime/calls/${answer.callId}`);
    }
    res.status(201).type('application/sdp').set('Cache-Control', 'no-store').send(answer.sdp);
  });

  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const { status, code, message, retryAfter } = describeError(error);
    if (retryAfter) res.set('Retry-After', retryAfter);
    res.status(status).json({ error: { code, message } });
  });
  return app;
}

function sessionFrom(body: unknown, cfg: ServerConfig): SessionRequest {
  const input = (body && typeof body === 'object' ? body : {}) as { voice?: unknown; instructions?: unknown };
  if (input.voice !== undefined && (typeof input.voice !== 'string' || !(VOICES as readonly string[]).includes(input.voice))) {
    throw new HttpError(400, 'invalid_voice', `Unknown voice. Use one of: ${VOICES.join(', ')}.`);
  }
  if (input.instructions !== undefined && typeof input.instructions !== 'string') throw new HttpError(400, 'invalid_instructions', 'instructions must be a string.');
  const fromBrowser = (input.instructions as string | undefined)?.trim();
  if (fromBrowser && fromBrowser.length > cfg.maxInstructionsLength) {
    throw new HttpError(400, 'instructions_too_long', `instructions may be at most ${cfg.maxInstructionsLength} characters.`);
  }
  let instructions = cfg.instructions;
  if (fromBrowser && cfg.browserInstructions === 'accept') instructions = fromBrowser;
  if (fromBrowser && cfg.browserInstructions === 'append') instructions = [cfg.instructions, fromBrowser].filter(Boolean).join('\n\n');
  return { voice: (input.voice as string | undefined) ?? cfg.defaultVoice, instructions, extra: cfg.sessionDefaults };
}

function describeError(error: unknown): { status: number; code: string; message: string; retryAfter?: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  const bodyError = error as { type?: string; status?: number };
  if (bodyError?.type === 'entity.parse.failed') return { status: 400, code: 'invalid_json', message: 'The request body is not valid JSON.' };
  if (bodyError?.type === 'entity.too.large') return { status: 413, code: 'payload_too_large', message: 'The request body is too large.' };
  if (error instanceof UpstreamError) {
    // Never the upstream's own 401/403: the browser did nothing wrong, the server's setup did.
    const said = error.message ? ` The service said: ${error.message}` : '';
    switch (true) {
      case error.status === 401:
        return { status: 502, code: 'upstream_unauthorized', message: `The realtime service refused the server's credentials (401): check the API key, or the Entra ID role (Cognitive Services User).${said}` };
      case error.status === 403:
        return { status: 502, code: 'upstream_forbidden', message: `The realtime service refused access (403): the resource's region or network rules.${said}` };
      case error.status === 404:
        return { status: 502, code: 'upstream_not_found', message: `The realtime service answered 404: check the endpoint and the deployment name (case-sensitive).${said}` };
      case error.status === 429:
        return { status: 429, code: 'upstream_rate_limited', message: `The realtime service's quota or rate limit is used up (429).${said}`, retryAfter: error.retryAfter ?? '10' };
      case error.status === 504:
        return { status: 504, code: 'upstream_timeout', message: error.message };
      case error.status === 400:
        return { status: 502, code: 'upstream_rejected', message: `The realtime service rejected the request (400).${said}` };
      default:
        return { status: error.status >= 500 && error.status < 600 && error.status !== 500 ? error.status : 502, code: 'upstream_error', message: `The realtime service failed (${error.status}).${said}` };
    }
  }
  return { status: 500, code: 'internal_error', message: 'The server failed unexpectedly.' };
}
