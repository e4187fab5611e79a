/**
 * createApp(config, deps) builds the Express app without listening (tests
 * import it; index.ts and `npm start` serve it). Routes: POST /token,
 * POST /connect, GET /healthz. Errors: `{ error: { code, message } }`,
 * never a stack trace, never the provider's key.
 *
 * The app is composed here; each part has its file:
 * - routes/: token.ts, connect.ts, health.ts, and not-found.ts (405/404);
 * - middleware.ts: request log, origin guard (CORS), rate limiter;
 * - body.ts: the media types and body parsers of each route;
 * - session-policy.ts: what the page may choose (voice, instructions, settings) and what stays locked;
 * - errors.ts: HttpError and the JSON error answer (upstream and body-parser failures described);
 * - auth/ (sign-in) and quota/ (quotas per user, call length).
 */
import express from 'express';
import type { Store } from 'express-rate-limit';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { DEFAULT_CONFIG, type ServerConfig } from './config.js';
import { errorAnswer, HttpError } from './errors.js';
import { originGuard, rateLimiter, requestLog } from './middleware.js';
import type { RealtimeProvider } from './providers/provider.js';
import { authenticator, type Authorize } from './auth/authenticate.js';
import type { ReplayStore } from './auth/replay-store.js';
import { memoryQuotaStore, type QuotaStore } from './quota/quota-store.js';
import { Quotas } from './quota/quotas.js';
import { connectRoute } from './routes/connect.js';
import type { RouteContext } from './routes/context.js';
import { healthRoute } from './routes/health.js';
import { API_PATHS, apiFallback, jsonNotFound } from './routes/not-found.js';
import { tokenRoute } from './routes/token.js';

export { HttpError, jsonNotFound };

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

export function createApp(config: Partial<ServerConfig>, deps: AppDeps): express.Express {
  const cfg: ServerConfig = { ...DEFAULT_CONFIG, ...config };
  const log = deps.logger ?? pino({ level: process.env.LOG_LEVEL ?? 'info' });
  const app = express();
  app.disable('x-powered-by');
  // Every answer is `no-store` and made for one request: an ETag would hash each body for nothing.
  app.set('etag', false);
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

  const routes: RouteContext = {
    cfg,
    provider: deps.provider,
    log,
    limiter: rateLimiter(cfg, deps.rateLimitStore),
    authenticate,
    quotas,
    onCall: deps.onCall,
  };
  healthRoute(app, routes);
  tokenRoute(app, routes);
  connectRoute(app, routes);

  app.use(API_PATHS, apiFallback);
  app.use(errorAnswer(log));
  return app;
}
