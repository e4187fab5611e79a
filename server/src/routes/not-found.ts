import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '../errors.js';

/** The API's routes, which createApp mounts its middleware on (`npm start` serves the demo pages next to them). */
export const API_PATHS = ['/token', '/connect', '/healthz'];
/** The methods each route answers, for 405 and its `Allow` header. */
const ALLOWED_METHODS: Record<string, string> = { '/token': 'POST', '/connect': 'POST', '/healthz': 'GET, HEAD' };
const NO_SUCH_ROUTE = 'No such route here: use POST /token, POST /connect or GET /healthz.';

/** After the routes, on API_PATHS: another method of a route is 405 (with `Allow`), another path under it 404. */
export function apiFallback(req: Request, res: Response, next: NextFunction): void {
  const allow = req.path === '/' ? ALLOWED_METHODS[req.baseUrl] : undefined;
  if (allow) {
    res.set('Allow', allow);
    return next(
      new HttpError(405, 'method_not_allowed', `${req.baseUrl} answers ${allow} only, not ${req.method.slice(0, 20)}.`),
    );
  }
  next(new HttpError(404, 'not_found', NO_SUCH_ROUTE));
}

/**
 * The last handler of a server that serves only the API (index.ts): any other
 * path gets the JSON 404, not Express's HTML page. Not part of createApp,
 * which `npm start` mounts in front of the demo pages.
 */
export function jsonNotFound(_req: Request, res: Response): void {
  res.status(404).json({ error: { code: 'not_found', message: NO_SUCH_ROUTE } });
}
