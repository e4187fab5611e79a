import type express from 'express';
import type { RouteContext } from './context.js';

/** GET /healthz: up, and which provider (never its endpoint or key). */
export function healthRoute(app: express.Express, { provider }: RouteContext): void {
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true, provider: provider.name });
  });
}
