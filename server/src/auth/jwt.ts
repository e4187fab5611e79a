/**
 * AUTH_MODE=jwt: a sign-in token from the site's identity provider, verified with jose against
 * the provider's published keys (JWKS, cached and refreshed when a new key id appears).
 */
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

/**
 * Asymmetric algorithms only: with an HMAC algorithm allowed, a token "signed" with the public key
 * as the HMAC secret would verify (the classic key-confusion attack); `none` is never accepted.
 */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

export type JwtResult = { userId: string } | { problem: 'expired' | 'invalid' | 'unavailable'; detail: string };

export function jwtVerifier(options: { jwksUrl: string; issuer: string; audience: string; userClaim: string }) {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    // Keys are fetched once and kept; an unknown key id refetches at most every 30 s (rotation).
    cacheMaxAge: 10 * 60_000,
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
  });
  return async (token: string): Promise<JwtResult> => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: JWT_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: 5,
      });
      const id = payload[options.userClaim];
      if ((typeof id !== 'string' || !id) && typeof id !== 'number')
        return { problem: 'invalid', detail: `no ${options.userClaim} claim` };
      return { userId: String(id) };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { problem: 'expired', detail: error.code };
      // The keys could not be fetched: the server's problem, not the user's token.
      // (A network failure is not a JOSEError; a non-200 answer is the generic JOSEError itself.)
      if (
        !(error instanceof errors.JOSEError) ||
        error.constructor === errors.JOSEError ||
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid
      ) {
        return { problem: 'unavailable', detail: (error as Error).message };
      }
      return { problem: 'invalid', detail: (error as { code?: string }).code ?? (error as Error).name };
    }
  };
}
