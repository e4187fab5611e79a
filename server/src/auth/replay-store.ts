/**
 * Which tickets were used: a ticket is accepted once, until it expires. In memory for one instance;
 * in Redis when REDIS_URL is set, so a ticket used on one instance is refused on the others.
 */
import { createClient } from 'redis';

export interface ReplayStore {
  /** True the first time `id` is claimed before `expiresAtMs`; false for every later claim. */
  claim(id: string, expiresAtMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export function memoryReplayStore(): ReplayStore {
  const used = new Map<string, number>();
  return {
    async claim(id, expiresAtMs) {
      const now = Date.now();
      // Forget expired ids as we go: an expired ticket is refused for its expiry anyway.
      for (const [key, expiry] of used) if (expiry <= now) used.delete(key);
      if (used.has(id)) return false;
      used.set(id, expiresAtMs);
      return true;
    },
    async close() {},
  };
}

export async function redisReplayStore(url: string, prefix = 'rv:ticket:'): Promise<ReplayStore> {
  // No offline queue: while Redis is away a claim fails at once (503) instead of waiting for it.
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {
    /* reconnects on its own; a claim meanwhile fails, and the request is refused as unavailable */
  });
  await client.connect();
  return {
    async claim(id, expiresAtMs) {
      // SET NX: atomic across instances; PXAT: the key lives exactly as long as the ticket.
      const set = await client.set(`${prefix}${id}`, '1', {
        condition: 'NX',
        expiration: { type: 'PXAT', value: Math.max(expiresAtMs, Date.now() + 1) },
      });
      return set === 'OK';
    },
    // quit() waits for Redis to answer, forever when it is gone: then just drop the connection.
    close: async () => (client.isReady ? void (await client.quit()) : client.destroy()),
  };
}
