import type express from 'express';
import { tokenBody } from '../body.js';
import { parse, preferencesSchema, sessionFor } from '../session-policy.js';
import type { RouteContext } from './context.js';

/** POST /token: an ephemeral client secret for the session the policy allows, and where to post the offer. */
export function tokenRoute(app: express.Express, { cfg, provider, limiter, authenticate, quotas }: RouteContext): void {
  app.post('/token', limiter, authenticate, quotas.admit('token'), ...tokenBody(), async (req, res) => {
    const preferences = parse(preferencesSchema, req.body ?? {});
    const secret = await provider.createClientSecret(sessionFor(preferences, cfg, res));
    res.set('Cache-Control', 'no-store').json({
      value: secret.value,
      expires_at: secret.expires_at,
      calls_url: provider.callsUrl({ filter: cfg.webrtcFilter }),
    });
  });
}
