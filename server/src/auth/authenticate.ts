/**
 * Who is asking: the middleware in front of /token and /connect. It sets `res.locals.userId` (the
 * quotas count per it) or refuses with 401 (no or bad credentials, with `WWW-Authenticate`) or
 * 403 (an `authorize` function said no). A refusal says only its code: why a token failed
 * verification goes to the server's log, never to the caller.
 */
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from '../errors.js';
import type { AuthConfig } from './auth-config.js';
import { jwtVerifier } from './jwt.js';
import { memoryReplayStore, type ReplayStore } from './replay-store.js';
import { verifyTicket } from './ticket.js';

/**
 * Anything else (a session cookie, an API gateway's header): return the user's id, or
 * false/undefined to refuse with 403; throw an HttpError for another answer.
 */
export type Authorize = (
  req: Request,
) => Promise<{ userId: string } | false | undefined | null> | { userId: string } | false | undefined | null;

const REALM = 'Bearer realm="realtime-voice"';

export class AuthError extends HttpError {
  constructor(
    code: string,
    message: string,
    readonly challenge?: string,
  ) {
    super(401, code, message);
  }
}

const MESSAGES = {
  missing_credentials: 'Sign-in required: send Authorization: Bearer <token>.',
  token_expired: 'The sign-in token has expired: get a new one and try again.',
  invalid_token: 'The sign-in token was not accepted.',
  ticket_used: 'This ticket was already used: get a new one for each call.',
};

function refuse(code: keyof typeof MESSAGES): AuthError {
  const challenge = code === 'missing_credentials' ? REALM : `${REALM}, error="invalid_token"`;
  return new AuthError(code, MESSAGES[code], challenge);
}

function bearer(req: Request): string | undefined {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]{1,8192})$/i.exec(header.trim());
  return match?.[1];
}

export function authenticator(
  auth: AuthConfig,
  options: { authorize?: Authorize; replays?: ReplayStore; log: Logger },
) {
  const { authorize, log } = options;
  const replays = options.replays ?? memoryReplayStore();
  const verifyJwt = auth.mode === 'jwt' ? jwtVerifier(auth) : undefined;

  const identify = async (req: Request): Promise<string | undefined> => {
    if (authorize) {
      const result = await authorize(req);
      if (!result) throw new HttpError(403, 'forbidden', 'This user may not start a conversation here.');
      return result.userId;
    }
    if (auth.mode === 'none') return undefined; // the quotas count per client address
    const token = bearer(req);
    if (!token) throw req.get('authorization') ? refuse('invalid_token') : refuse('missing_credentials');
    if (auth.mode === 'jwt') {
      const result = await verifyJwt!(token);
      if ('userId' in result) return result.userId;
      (reqLog(req) ?? log).info({ code: result.problem, reason: result.detail }, 'sign-in token refused');
      if (result.problem === 'unavailable')
        throw new HttpError(503, 'auth_unavailable', 'Sign-in cannot be checked right now: try again shortly.');
      throw refuse(result.problem === 'expired' ? 'token_expired' : 'invalid_token');
    }
    const claims = verifyTicket(token, auth.ticketSecret);
    if (typeof claims === 'string') throw refuse(claims === 'expired' ? 'token_expired' : 'invalid_token');
    let first: boolean;
    try {
      first = await replays.claim(claims.jti, claims.exp * 1000);
    } catch (error) {
      // Redis unreachable: refuse rather than let a ticket be used twice.
      (reqLog(req) ?? log).warn({ err: (error as Error).message }, 'ticket store unavailable');
      throw new HttpError(503, 'auth_unavailable', 'Sign-in cannot be checked right now: try again shortly.');
    }
    if (!first) throw refuse('ticket_used');
    return claims.sub;
  };

  return (req: Request, res: Response, next: NextFunction) => {
    identify(req).then(
      (userId) => {
        if (userId !== undefined) res.locals.userId = userId;
        next();
      },
      (error: unknown) => {
        if (error instanceof AuthError && error.challenge) res.set('WWW-Authenticate', error.challenge);
        next(error);
      },
    );
  };
}

function reqLog(req: Request): Logger | undefined {
  return (req.res?.locals as { log?: Logger } | undefined)?.log;
}
