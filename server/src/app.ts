/**
 * createApp(config, deps) builds the Express app without listening (tests
 * import it; index.ts and `npm start` serve it). Routes: POST /token,
 * POST /connect, GET /healthz. Errors: `{ error: { code, message } }`,
 * never a stack trace, never the provider's key.
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { z } from 'zod';
import { DEFAULT_CONFIG, VOICES, type ServerConfig } from './config.js';
import { formFields } from './form-body.js';
import { SETTING_NAMES, SettingError, combine, parseSettings, toGaSession } from './session-defaults.js';
import { HttpError } from './http-error.js';
import { UpstreamError, type RealtimeProvider, type SessionRequest } from './providers/provider.js';
import { authenticator, type Authorize } from './auth/authenticate.js';
import type { ReplayStore } from './auth/replay-store.js';
import { memoryQuotaStore, type QuotaStore } from './quota/quota-store.js';
import { Quotas } from './quota/quotas.js';

export { HttpError };

export interface AppDeps {
  provider: RealtimeProvider;
  logger?: Logger;
  /** Told about every call made through /connect (the observer hooks in here). */
  onCall?: (callId: string, log: Logger) => void;
  /** The rate limiter's store; default in memory (one instance). Redis for several. */
  rateLimitStore?: Store;
  /** Your own check of who is asking, instead of AUTH_MODE's: see auth/authenticate.ts. */
  authorize?: Authorize;
  /** Used tickets (AUTH_MODE=ticket); default in memory. Redis for several instances. */
  ticketReplays?: ReplayStore;
  /** Quota counts (QUOTA_*, SPEND_CAP_MINUTES_PER_DAY); default in memory. Redis for several instances. */
  quotaStore?: QuotaStore;
}

/** What the browser may send. Strict: unknown keys (including `__proto__`) are refused. */
const preferencesSchema = z.strictObject({
  voice: z.enum(VOICES).optional(),
  instructions: z.string().optional(),
  // The session settings a page may choose (checked by session-defaults' own schemas, in sessionFor).
  ...Object.fromEntries(SETTING_NAMES.map((name) => [name, z.union([z.string(), z.number()]).optional()])),
});
const connectJsonSchema = preferencesSchema.extend({ sdp: z.string() });

const API_PATHS = ['/token', '/connect', '/healthz'];
/** The methods each route answers, for 405 and its `Allow` header. */
const ALLOWED_METHODS: Record<string, string> = { '/token': 'POST', '/connect': 'POST', '/healthz': 'GET, HEAD' };

export function createApp(config: Partial<ServerConfig>, deps: AppDeps): express.Express {
  const cfg: ServerConfig = { ...DEFAULT_CONFIG, ...config };
  const log = deps.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', cfg.trustProxy);

  // Scoped to the API: `npm start` mounts this app in front of the demo pages.
  app.use(API_PATHS, requestLog(log), helmet(), originGuard(cfg.allowedOrigins));
  // After the rate limiter: guessing tokens costs requests like anything else.
  const authenticate = authenticator(cfg.auth ?? { mode: 'none' }, {
    authorize: deps.authorize,
    replays: deps.ticketReplays,
    log,
  });

  // Quotas per user (after sign-in, which names the user) and call length: quota/quotas.ts.
  const quotas = new Quotas(cfg.quotas, { store: deps.quotaStore ?? memoryQuotaStore(), provider: deps.provider, log });
  app.locals.quotas = quotas; // quotasOf(app).shutdown() on graceful shutdown

  const limiter = rateLimit({
    windowMs: cfg.rateLimit.windowMs,
    limit: cfg.rateLimit.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store: deps.rateLimitStore,
    handler: (req, res) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(
        1,
        Math.ceil(((reset?.getTime() ?? Date.now() + cfg.rateLimit.windowMs) - Date.now()) / 1000),
      );
      res
        .set('Retry-After', String(seconds))
        .status(429)
        .json({
          error: { code: 'rate_limited', message: `Too many requests from this client: try again in ${seconds} s.` },
        });
    },
  });

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, provider: deps.provider.name });
  });

  app.post(
    '/token',
    limiter,
    authenticate,
    quotas.admit('token'),
    contentType(['application/json']),
    express.json({ limit: '16kb', strict: true }),
    async (req, res) => {
      const preferences = parse(preferencesSchema, req.body ?? {});
      const secret = await deps.provider.createClientSecret(sessionFor(preferences, cfg, res));
      res
        .set('Cache-Control', 'no-store')
        .json({
          value: secret.value,
          expires_at: secret.expires_at,
          calls_url: deps.provider.callsUrl({ filter: cfg.webrtcFilter }),
        });
    },
  );

  app.post(
    '/connect',
    limiter,
    authenticate,
    quotas.admit('connect'),
    contentType(['application/sdp', 'application/json', 'multipart/form-data']),
    express.text({ type: 'application/sdp', limit: '64kb' }),
    express.json({ limit: '80kb', strict: true }),
    // Microsoft's sample browser code posts `FormData` with an `sdp` field.
    formFields({ names: ['sdp', 'voice', 'instructions', ...SETTING_NAMES], limitBytes: 80 * 1024 }),
    async (req, res) => {
      const body = req.body as unknown;
      const input = typeof body === 'string' ? { sdp: body } : parse(connectJsonSchema, body ?? {});
      if (!input.sdp.startsWith('v='))
        throw new HttpError(
          400,
          'invalid_offer',
          'The offer is not SDP: send it as application/sdp, JSON {"sdp": "v=0…"} or a form with an sdp field.',
        );
      const secret = await deps.provider.createClientSecret(sessionFor(input, cfg, res));
      const answer = await deps.provider.createCall(input.sdp, secret.value, { filter: cfg.webrtcFilter });
      if (answer.callId) {
        // The call id is no secret; the page may want it (logs, support). Same shape as the service's.
        res.set('Location', `/v1/realtime/calls/${answer.callId}`);
        res.locals.log?.info({ callId: answer.callId }, 'call started');
        deps.onCall?.(answer.callId, res.locals.log ?? log);
        quotas.callStarted(res, answer.callId, res.locals.log ?? log);
      }
      res.status(201).type('application/sdp').set('Cache-Control', 'no-store').send(answer.sdp);
    },
  );

  app.use(API_PATHS, (req: Request, res: Response, next: NextFunction) => {
    const allow = req.path === '/' ? ALLOWED_METHODS[req.baseUrl] : undefined;
    if (allow) {
      res.set('Allow', allow);
      return next(
        new HttpError(
          405,
          'method_not_allowed',
          `${req.baseUrl} answers ${allow} only, not ${req.method.slice(0, 20)}.`,
        ),
      );
    }
    next(new HttpError(404, 'not_found', 'No such route here: use POST /token, POST /connect or GET /healthz.'));
  });

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const described = describeError(error);
    if (described.retryAfter) res.set('Retry-After', described.retryAfter);
    const reqLog: Logger = res.locals.log ?? log;
    if (described.status >= 500)
      reqLog.warn({ code: described.code, upstreamStatus: (error as UpstreamError).status }, described.message);
    else if (!(error instanceof HttpError)) reqLog.info({ code: described.code, path: req.path }, 'request refused');
    res.status(described.status).json({ error: { code: described.code, message: described.message } });
  });
  return app;
}

/**
 * The last handler of a server that serves only the API (index.ts): any other
 * path gets the JSON 404, not Express's HTML page. Not part of createApp,
 * which `npm start` mounts in front of the demo pages.
 */
export function jsonNotFound(_req: Request, res: Response): void {
  res
    .status(404)
    .json({
      error: { code: 'not_found', message: 'No such route here: use POST /token, POST /connect or GET /healthz.' },
    });
}

/** A request id (the caller's `X-Request-Id` when it is sane) on every log line and response; no headers or bodies logged. */
function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const id = incoming && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', id);
    const child = log.child({ reqId: id });
    res.locals.log = child;
    const started = performance.now();
    res.on('finish', () =>
      child.info(
        {
          method: req.method,
          path: req.baseUrl || req.path,
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      ),
    );
    next();
  };
}

/**
 * Browsers send `Origin` on cross-site POSTs. Only ALLOWED_ORIGINS (and the
 * server's own origin) get CORS headers; others are refused outright, which
 * also stops cross-site form posts from spending your quota.
 */
function originGuard(allowed: string[]) {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (!origin) return next(); // not a browser cross-origin request (curl, server to server, same-origin GET)
    const own = `${req.protocol}://${req.get('host')}`;
    if (origin !== own && !allowed.includes(origin)) {
      return next(
        new HttpError(
          403,
          'origin_not_allowed',
          'This origin may not call the token service: add it to ALLOWED_ORIGINS.',
        ),
      );
    }
    res.set('Access-Control-Allow-Origin', origin);
    res.set('Vary', 'Origin');
    // Cookies and sign-in headers from another site only for the sites the operator named.
    if (allowed.includes(origin)) res.set('Access-Control-Allow-Credentials', 'true');
    res.set(
      'Access-Control-Expose-Headers',
      'Location, Retry-After, WWW-Authenticate, X-Request-Id, X-Realtime-Locked',
    );
    if (req.method === 'OPTIONS') {
      res.set('Access-Control-Allow-Methods', 'GET, POST');
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Request-Id');
      res.set('Access-Control-Max-Age', '600');
      return res.status(204).end();
    }
    next();
  };
}

function contentType(types: string[]) {
  return (req: Request, _res: Response, next: NextFunction) => {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!types.includes(type))
      return next(
        new HttpError(
          415,
          'unsupported_media_type',
          `Send ${types.join(' or ')}${type ? `, not ${type.slice(0, 60)}` : ''}.`,
        ),
      );
    // JSON and SDP between systems are UTF-8 (RFC 8259 §8.1, RFC 8866 §5). body-parser would also take
    // UTF-16, where an odd byte count silently decodes to an empty body, read as "no preferences".
    const charset = /;\s*charset\s*=\s*"?([^";\s]*)/i.exec(req.get('content-type') ?? '')?.[1]?.toLowerCase();
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
      return next(new HttpError(415, 'unsupported_charset', 'This charset is not supported: send the body as UTF-8.'));
    }
    next();
  };
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.');
  if (field === 'voice') throw new HttpError(400, 'invalid_voice', `Unknown voice. Use one of: ${VOICES.join(', ')}.`);
  if (issue.code === 'unrecognized_keys')
    throw new HttpError(
      400,
      'unknown_field',
      `Unknown field "${String(field).slice(0, 40)}": send only voice, instructions, ${SETTING_NAMES.join(', ')} (and sdp to /connect).`,
    );
  throw new HttpError(400, `invalid_${field || 'body'}`, `${field || 'The body'} is not valid: ${issue.message}.`);
}

/** The server's session policy: the browser may choose a known voice and, by configuration, instructions. */
function sessionFor(
  input: { voice?: string; instructions?: string } & Record<string, unknown>,
  cfg: ServerConfig,
  res: Response,
): SessionRequest {
  let combined;
  try {
    // A page's settings may clash with each other, or with a locked setting of the operator's.
    combined = combine(
      cfg.settings,
      parseSettings(input, (setting) => setting),
      cfg.locked,
    );
  } catch (error) {
    if (error instanceof SettingError) throw new HttpError(400, `invalid_${error.field}`, `${error.message}.`);
    throw error;
  }
  const { settings, ignored } = combined;
  const fromBrowser = cfg.locked.has('instructions') ? undefined : input.instructions?.trim();
  if (input.voice && cfg.locked.has('voice')) ignored.unshift('voice');
  if (input.instructions?.trim() && cfg.locked.has('instructions')) ignored.unshift('instructions');
  // Not an error: the call goes ahead with the operator's values; the page can see what it did not get.
  if (ignored.length) res.set('X-Realtime-Locked', ignored.join(', '));
  if (fromBrowser && fromBrowser.length > cfg.maxInstructionsLength) {
    throw new HttpError(
      400,
      'instructions_too_long',
      `instructions may be at most ${cfg.maxInstructionsLength} characters.`,
    );
  }
  let instructions = cfg.instructions;
  if (fromBrowser && cfg.browserInstructions === 'accept') instructions = fromBrowser;
  if (fromBrowser && cfg.browserInstructions === 'append')
    instructions = [cfg.instructions, fromBrowser].filter(Boolean).join('\n\n');
  const voice = cfg.locked.has('voice') ? cfg.defaultVoice : (input.voice ?? cfg.defaultVoice);
  return { voice, instructions, extra: toGaSession(settings, cfg.sessionDefaults) };
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

function describeError(error: unknown): { status: number; code: string; message: string; retryAfter?: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof UpstreamError) return describeUpstream(error);
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
  return { status: 500, code: 'internal_error', message: 'The server failed unexpectedly.' };
}

/** Upstream failures name the operator's likely fix; never the upstream's own 401/403, which would read as the browser's fault. */
function describeUpstream(error: UpstreamError): {
  status: number;
  code: string;
  message: string;
  retryAfter?: string;
} {
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
