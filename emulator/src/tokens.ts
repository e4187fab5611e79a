/** Ephemeral client secrets (`ek_…`): reusable until they expire, as on the service. */
import { newId } from './ids.js';

export interface IssuedToken<S> {
  value: string;
  /** Unix seconds. */
  expiresAt: number;
  session: S;
}

export const DEFAULT_TOKEN_TTL_SECONDS = 600;
/** Expired tokens are forgotten after this long; a later use says "unknown". */
const FORGET_AFTER_MS = 60 * 60 * 1000;

export class TokenStore<S> {
  readonly #tokens = new Map<string, IssuedToken<S>>();

  issue(session: S, ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS): IssuedToken<S> {
    this.#sweep();
    const token = { value: newId('ek', 18), expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds, session };
    this.#tokens.set(token.value, token);
    return token;
  }

  /** The token, or why it is refused. */
  check(value: string): { token: IssuedToken<S> } | { problem: 'unknown' | 'expired' } {
    const token = this.#tokens.get(value);
    if (!token) return { problem: 'unknown' };
    if (token.expiresAt * 1000 <= Date.now()) return { problem: 'expired' };
    return { token };
  }

  #sweep(): void {
    const cutoff = Date.now() - FORGET_AFTER_MS;
    for (const [value, token] of this.#tokens) if (token.expiresAt * 1000 < cutoff) this.#tokens.delete(value);
  }
}
