/**
 * Where the quotas are counted: in memory for one instance, in Redis (REDIS_URL) so that
 * several instances behind a load balancer count the same user together. The store knows
 * counters and slots, not users or windows: quotas.ts names the keys (subject and window).
 *
 * Every operation that checks and changes is one atomic step (a Lua script in Redis), so two
 * instances admitting the same user at the same moment cannot both take the last call.
 */
import { createClient } from 'redis';

export type SlotResult = { ok: true } | { ok: false; earliestExpiryMs: number };

export interface QuotaStore {
  /** Adds 1 to counter `key` unless it has reached `limit`; true when added. The key lives `ttlMs`. */
  take(key: string, limit: number, ttlMs: number): Promise<boolean>;
  /** Takes 1 back (a request refused or failed after `take` does not count); never below 0. */
  giveBack(key: string): Promise<void>;
  /** Adds `amount` (milliseconds of conversation) to counter `key`, which lives `ttlMs`. */
  add(key: string, amount: number, ttlMs: number): Promise<void>;
  /** The counters' values, 0 for those that do not exist. */
  read(keys: string[]): Promise<number[]>;
  /**
   * Holds `slot` in set `key` unless `limit` live slots are held there. A slot frees itself at
   * `expiresAtMs` (an instance that died holding it cannot block its user for ever).
   */
  acquire(key: string, slot: string, limit: number, expiresAtMs: number): Promise<SlotResult>;
  /** Frees `slot`; true the first time, false after (so a slot is released exactly once). */
  release(key: string, slot: string): Promise<boolean>;
  close(): Promise<void>;
}

export function memoryQuotaStore(now: () => number = Date.now): QuotaStore {
  const counters = new Map<string, { value: number; expiresAt: number }>();
  const slots = new Map<string, Map<string, number>>();
  const live = (key: string) => {
    const entry = counters.get(key);
    if (entry && entry.expiresAt <= now()) counters.delete(key);
    return counters.get(key);
  };
  const liveSlots = (key: string) => {
    const set = slots.get(key) ?? new Map<string, number>();
    for (const [slot, expiry] of set) if (expiry <= now()) set.delete(slot);
    if (set.size) slots.set(key, set);
    else slots.delete(key);
    return set;
  };
  // Expired counters of users who never came back would otherwise stay for the process's life.
  const sweep = setInterval(() => {
    for (const key of counters.keys()) live(key);
    for (const key of slots.keys()) liveSlots(key);
  }, 60_000);
  sweep.unref();
  return {
    async take(key, limit, ttlMs) {
      const entry = live(key);
      if ((entry?.value ?? 0) >= limit) return false;
      counters.set(key, { value: (entry?.value ?? 0) + 1, expiresAt: now() + ttlMs });
      return true;
    },
    async giveBack(key) {
      const entry = live(key);
      if (entry && entry.value > 0) entry.value--;
    },
    async add(key, amount, ttlMs) {
      const entry = live(key);
      counters.set(key, { value: (entry?.value ?? 0) + amount, expiresAt: now() + ttlMs });
    },
    async read(keys) {
      return keys.map((key) => live(key)?.value ?? 0);
    },
    async acquire(key, slot, limit, expiresAtMs) {
      const set = liveSlots(key);
      if (set.size >= limit) return { ok: false, earliestExpiryMs: Math.min(...set.values()) };
      set.set(slot, expiresAtMs);
      slots.set(key, set);
      return { ok: true };
    },
    async release(key, slot) {
      const set = slots.get(key);
      const had = set?.delete(slot) ?? false;
      if (set && !set.size) slots.delete(key);
      return had;
    },
    async close() {
      clearInterval(sweep);
    },
  };
}

// KEYS[1] counter; ARGV limit, ttl ms. The check and the increment in one step.
const TAKE = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;
const GIVE_BACK = `
local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v > 0 then redis.call('DECR', KEYS[1]) end
return 0`;
const ADD = `
redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0`;
// KEYS[1] sorted set of slot → expiry; ARGV now, limit, expiry, slot. Expired slots go first.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return first[2]
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
return 'ok'`;

export async function redisQuotaStore(url: string, prefix = 'rv:q:'): Promise<QuotaStore> {
  // No offline queue: while Redis is away a check fails at once (503) instead of waiting for it.
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {
    /* reconnects on its own; a quota check meanwhile fails, and the request is refused with a 503 */
  });
  await client.connect();
  const eval_ = (script: string, key: string, args: Array<string | number>) =>
    client.eval(script, { keys: [prefix + key], arguments: args.map(String) });
  const ttl = (ms: number) => Math.max(1, Math.ceil(ms));
  return {
    async take(key, limit, ttlMs) {
      return Number(await eval_(TAKE, key, [limit, ttl(ttlMs)])) === 1;
    },
    async giveBack(key) {
      await eval_(GIVE_BACK, key, []);
    },
    async add(key, amount, ttlMs) {
      await eval_(ADD, key, [Math.round(amount), ttl(ttlMs)]);
    },
    async read(keys) {
      if (!keys.length) return [];
      const values = await client.mGet(keys.map((key) => prefix + key));
      return values.map((v) => Number(v ?? 0));
    },
    async acquire(key, slot, limit, expiresAtMs) {
      const result = String(await eval_(ACQUIRE, key, [Date.now(), limit, Math.ceil(expiresAtMs), slot]));
      return result === 'ok' ? { ok: true } : { ok: false, earliestExpiryMs: Number(result) };
    },
    async release(key, slot) {
      return (await client.zRem(prefix + key, slot)) === 1;
    },
    // quit() waits for Redis to answer, forever when it is gone: then just drop the connection.
    close: async () => (client.isReady ? void (await client.quit()) : client.destroy()),
  };
}
