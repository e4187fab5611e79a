/**
 * AUTH_MODE and its settings, read from the environment with the rest of the configuration
 * (config.ts). Each mode says what it protects in SECURITY.md.
 */
import { z } from 'zod';

export const AUTH_MODES = ['none', 'jwt', 'ticket'] as const;

export type AuthConfig =
  | { mode: 'none' }
  | { mode: 'jwt'; jwksUrl: string; issuer: string; audience: string; userClaim: string }
  | { mode: 'ticket'; ticketSecret: string };

/** The sentence `npm run server` says when AUTH_MODE is not set. */
export const AUTH_MODE_REQUIRED =
  'AUTH_MODE: required, so that who may spend your realtime quota is a choice: ' +
  'AUTH_MODE=jwt (a sign-in token from your identity provider, checked against AUTH_JWKS_URL: only your signed-in users), ' +
  'AUTH_MODE=ticket (a one-time ticket your own backend signs with AUTH_TICKET_SECRET: only users your backend vouches for), ' +
  'or AUTH_MODE=none (a public page: anyone who can reach the server, limited only by ALLOWED_ORIGINS, rate limits and quotas)';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

export const authEnvSchema = z.object({
  AUTH_MODE: z.enum(AUTH_MODES, { error: 'AUTH_MODE must be none, jwt or ticket' }).optional(),
  AUTH_JWKS_URL: z
    .string()
    .trim()
    .refine((value) => {
      try {
        const url = new URL(value);
        // Keys fetched over plain HTTP could be swapped on the way: only on this machine.
        return url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.test(url.hostname));
      } catch {
        return false;
      }
    }, 'AUTH_JWKS_URL must be an https:// URL (plain http:// only on a loopback host), e.g. https://login.example.com/.well-known/jwks.json')
    .optional(),
  AUTH_ISSUER: z.string().trim().min(1).optional(),
  AUTH_AUDIENCE: z.string().trim().min(1).optional(),
  AUTH_USER_CLAIM: z
    .string()
    .trim()
    .regex(/^[\w:/.-]{1,100}$/, 'AUTH_USER_CLAIM must be a claim name, e.g. sub or email')
    .optional(),
  AUTH_TICKET_SECRET: z
    .string()
    .min(32, 'AUTH_TICKET_SECRET must be at least 32 characters (e.g. openssl rand -base64 48)')
    .optional(),
});

/** The auth settings, or undefined when AUTH_MODE is unset; throws the message naming what is missing. */
export function authConfigFrom(e: z.infer<typeof authEnvSchema>): AuthConfig | undefined {
  switch (e.AUTH_MODE) {
    case undefined:
      return undefined;
    case 'none':
      return { mode: 'none' };
    case 'jwt': {
      for (const name of ['AUTH_JWKS_URL', 'AUTH_ISSUER', 'AUTH_AUDIENCE'] as const) {
        if (!e[name])
          throw new Error(
            `${name}: required when AUTH_MODE=jwt (the identity provider's keys URL, its issuer, and this service's audience)`,
          );
      }
      return {
        mode: 'jwt',
        jwksUrl: e.AUTH_JWKS_URL!,
        issuer: e.AUTH_ISSUER!,
        audience: e.AUTH_AUDIENCE!,
        userClaim: e.AUTH_USER_CLAIM ?? 'sub',
      };
    }
    case 'ticket':
      if (!e.AUTH_TICKET_SECRET)
        throw new Error(
          'AUTH_TICKET_SECRET: required when AUTH_MODE=ticket (at least 32 characters, shared with the backend that issues tickets)',
        );
      return { mode: 'ticket', ticketSecret: e.AUTH_TICKET_SECRET };
  }
}
