import type express from 'express';
import { connectBody } from '../body.js';
import { HttpError } from '../errors.js';
import { connectJsonSchema, parse, sessionFor } from '../session-policy.js';
import type { RouteContext } from './context.js';

/**
 * POST /connect: the browser's SDP offer, posted to the service with a secret
 * the browser never sees; the answer back, and the call id in `Location`.
 */
export function connectRoute(
  app: express.Express,
  { cfg, provider, log, limiter, authenticate, quotas, onCall }: RouteContext,
): void {
  app.post('/connect', limiter, authenticate, quotas.admit('connect'), ...connectBody(), async (req, res) => {
    const body = req.body as unknown;
    const input = typeof body === 'string' ? { sdp: body } : parse(connectJsonSchema, body ?? {});
    if (!input.sdp.startsWith('v='))
      throw new HttpError(
        400,
        'invalid_offer',
        'The offer is not SDP: send it as application/sdp, JSON {"sdp": "v=0…"} or a form with an sdp field.',
      );
    const secret = await provider.createClientSecret(sessionFor(input, cfg, res));
    const answer = await provider.createCall(input.sdp, secret.value, { filter: cfg.webrtcFilter });
    if (answer.callId) {
      // The call id is no secret; the page may want it (logs, support). Same shape as the service's.
      res.set('Location', `/v1/realtime/calls/${answer.callId}`);
      res.locals.log?.info({ callId: answer.callId }, 'call started');
      onCall?.(answer.callId, res.locals.log ?? log);
      quotas.callStarted(res, answer.callId, res.locals.log ?? log);
    }
    res.status(201).type('application/sdp').set('Cache-Control', 'no-store').send(answer.sdp);
  });
}
