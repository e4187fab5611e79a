/**
 * What every API route goes through before its handler: a request id and a
 * log line per request, the origin check with its CORS headers, and the
 * rate limiter (whose 429 says when to try again).
 */
import type { NextFunction, Request, Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import { HttpError } from './errors.js';

/** RATE_LIMIT_*: per client, in `store` (default in memory); answered 429 with Retry-After. */
export function rateLimiter(cfg: ServerConfig, store?: Store) {
  return rateLimit({
    windowMs: cfg.rateLimit.windowMs,
    limit: cfg.rateLimit.max,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    store,
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
}

/** A request id (the caller's `X-Request-Id` when it is sane) on every log line and response; no headers or bodies logged. */
export function requestLog(log: Logger) {
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
export function originGuard(allowed: string[]) {
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
