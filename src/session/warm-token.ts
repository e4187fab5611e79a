/** A token fetched ahead is used by a start() within this time, or fetched again. */
export const WARM_MS = 20_000;

/**
 * Token mode, before start(): a token fetched ahead (the pointer is over the start button, or it has
 * focus), for which settings and sign-in, when, and whether the fetch failed. Part of the call part.
 */
export class WarmToken<T> {
  #warm?: { key: string; authorization: unknown; at: number; ready: Promise<T>; failed?: boolean };

  /** Fetches ahead, unless a fetch for the same settings is under way or done within the last 20 s. */
  warm(key: string, authorization: unknown, fetch: () => Promise<T>): void {
    if (this.#fits(key, authorization)) return;
    const warm = { key, authorization, at: Date.now(), ready: fetch(), failed: false };
    // Failed before the click: the click asks again. Still running at the click: its answer (or error) is the click's.
    warm.ready.catch(() => (warm.failed = true));
    this.#warm = warm;
  }

  /** The token fetched ahead while it fits and has not failed; taken once. */
  take(key: string, authorization: unknown): Promise<T> | undefined {
    const fits = this.#fits(key, authorization) && !this.#warm!.failed;
    const ready = this.#warm?.ready;
    this.#warm = undefined;
    return fits ? ready : undefined;
  }

  #fits(key: string, authorization: unknown): boolean {
    const warm = this.#warm;
    return warm?.key === key && warm.authorization === authorization && Date.now() - warm.at < WARM_MS;
  }
}
