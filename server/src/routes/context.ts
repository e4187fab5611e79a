import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { RealtimeProvider } from '../providers/provider.js';
import type { Quotas } from '../quota/quotas.js';

/** What the routes share: createApp (app.ts) builds it once. */
export interface RouteContext {
  cfg: ServerConfig;
  provider: RealtimeProvider;
  log: Logger;
  /** The rate limiter, then the sign-in check: every route that spends the provider's quota. */
  limiter: RequestHandler;
  authenticate: RequestHandler;
  quotas: Quotas;
  /** Told about every call made through /connect (the observer hooks in here). */
  onCall?: (callId: string, log: Logger) => void;
}
