/**
 * The rate limiter's store. One instance keeps counts in memory; several
 * instances behind a load balancer must share them, so with REDIS_URL the
 * counts live in Redis (rate-limit-redis over the official `redis` client).
 * This is the only state the server keeps.
 */
import type { Store } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { createClient } from 'redis';

export interface SharedStore {
  store: Store;
  close(): Promise<void>;
}

export async function redisRateLimitStore(url: string, prefix = 'rv:rl:'): Promise<SharedStore> {
  const client = createClient({ url });
  client.on('error', () => {
    /* reconnects on its own; requests meanwhile fail with the limiter's own error */
  });
  await client.connect();
  const store = new RedisStore({ prefix, sendCommand: (...args: string[]) => client.sendCommand(args) });
  return { store, close: async () => void (await client.quit()) };
}
