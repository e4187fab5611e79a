/**
 * Tickets for AUTH_MODE=ticket: the site's own backend, which knows who is signed in, signs a
 * short-lived ticket for one user with AUTH_TICKET_SECRET; the page passes it as
 * `Authorization: Bearer <ticket>`; this server checks it and lets it be used once.
 *
 *   rvt1.<base64url JSON {sub, exp, jti}>.<base64url HMAC-SHA256 of "rvt1.<payload>">
 *
 * HMAC rather than a JWT so a backend without a JOSE library can issue one (it is 6 lines in
 * any language); `jti` makes each ticket single use (see replay-store.ts).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

const PREFIX = 'rvt1';
/** Longest life issueTicket() gives: a ticket is fetched right before the call it opens. */
export const MAX_TICKET_SECONDS = 600;

export interface TicketClaims {
  /** The user the ticket is for: quotas count per this id. */
  sub: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Unique id: a ticket is accepted once. */
  jti: string;
}

function sign(secret: string, data: string): Buffer {
  return createHmac('sha256', secret).update(data).digest();
}

/**
 * Issues a ticket for `userId`, valid `ttlSeconds` (default 60, at most 600). Call it in the site's
 * backend behind its own sign-in, and hand the result to the page (e.g. `el.authorization = async ()
 * => (await fetch('/my/ticket')).text()`).
 */
export function issueTicket(options: { userId: string; secret: string; ttlSeconds?: number; now?: number }): string {
  const { userId, secret } = options;
  if (!userId) throw new TypeError('issueTicket: userId is required');
  if (!secret || secret.length < 32)
    throw new TypeError('issueTicket: the secret must be at least 32 characters (AUTH_TICKET_SECRET)');
  const ttl = Math.min(Math.max(1, Math.floor(options.ttlSeconds ?? 60)), MAX_TICKET_SECONDS);
  const now = options.now ?? Date.now();
  const claims: TicketClaims = { sub: userId, exp: Math.floor(now / 1000) + ttl, jti: randomUUID() };
  const payload = `${PREFIX}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

export type TicketProblem = 'invalid' | 'expired';

/** The ticket's claims when its signature and expiry hold; else why not (for the refusal's code only). */
export function verifyTicket(ticket: string, secret: string, now = Date.now()): TicketClaims | TicketProblem {
  const parts = ticket.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return 'invalid';
  const expected = sign(secret, `${parts[0]}.${parts[1]}`);
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  let claims: Partial<TicketClaims>;
  try {
    claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Partial<TicketClaims>;
  } catch {
    return 'invalid';
  }
  if (
    typeof claims.sub !== 'string' ||
    !claims.sub ||
    typeof claims.exp !== 'number' ||
    typeof claims.jti !== 'string' ||
    !claims.jti
  )
    return 'invalid';
  if (claims.exp * 1000 <= now) return 'expired';
  return claims as TicketClaims;
}
