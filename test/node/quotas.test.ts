// Quotas per user and the site's spend cap (issue 19, item 3) on the reference server, with real
// parts: a real HTTP server in front of the real emulator, real WebRTC calls through /connect
// (wrtc), and a real redis-server shared by two server instances. Calls end as calls end: the
// service closes them (hang-up), and the server counts their minutes from its watch socket.
// The "day" and "minute" are shortened in code (units) so a day's minutes pass in seconds.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../server/src/config.ts';
import { memoryQuotaStore, redisQuotaStore, type QuotaStore } from '../../server/src/quota/quota-store.ts';
import {
  connectCall,
  failedConnect,
  mintToken,
  quotaServer,
  until,
  withFault,
  type Answer,
  type QuotaServer,
} from './support/quota-server.ts';
import { findRedis, startRedis } from './support/redis-server.ts';
import { useEmulator } from './support/use-emulator.ts';
import { sleep } from './support/wrtc-client.ts';

const ctx = useEmulator();
const servers: QuotaServer[] = [];
const stores: QuotaStore[] = [];
after(async () => {
  servers.forEach((s) => s.close());
  await Promise.all(stores.map((s) => s.close()));
});

/** Half a second is a "minute", ten minutes a "day": minutes quotas are used up in seconds. */
const FAST = { minuteMs: 500, dayMs: 600_000 };

async function serve(
  env: Record<string, string>,
  options: Omit<Parameters<typeof quotaServer>[0], 'emulatorBase' | 'env'> = {},
): Promise<QuotaServer> {
  const server = await quotaServer({ emulatorBase: ctx.base, env, ...options });
  servers.push(server);
  return server;
}

function assertRefused(answer: Answer, code: string, maxRetry: number): void {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  assert.equal(answer.body?.error?.code, code);
  assert.match(answer.body.error.message, /\w+ \w+.*: /, 'a message in words');
  const retry = Number(answer.headers.get('retry-after'));
  assert.ok(
    Number.isInteger(retry) && retry >= 1 && retry <= maxRetry,
    `Retry-After ${answer.headers.get('retry-after')}`,
  );
}

/**
 * A /connect the quota must refuse: its offer is no real peer's (fewer wrtc peers, whose native
 * teardown sometimes crashes), and the service would refuse it (502) if it got past the quota.
 */
const refusedConnect = failedConnect;

/** Ends a call from the service's side, as a hang-up by the user does; returns when the server has seen it end. */
async function endCall(server: QuotaServer, callId: string): Promise<void> {
  const before = server.quotas.openCalls;
  ctx.emulator.calls.get(callId)?.close('hangup');
  await until(() => server.quotas.openCalls < before, 3000, 'the server to see the call end');
}

describe('configuration', () => {
  test('each limit must be a positive whole number; the error names the variable', () => {
    for (const name of [
      'QUOTA_CALLS_PER_HOUR',
      'QUOTA_CONCURRENT_CALLS',
      'QUOTA_MINUTES_PER_DAY',
      'SPEND_CAP_MINUTES_PER_DAY',
      'MAX_CALL_SECONDS',
      'IDLE_CALL_SECONDS',
    ]) {
      for (const bad of ['0', '-3', '1.5', 'ten', '99999999999999999999']) {
        assert.throws(
          () => loadConfig({ [name]: bad }),
          (e: Error) =>
            e instanceof ConfigError &&
            e.message.startsWith(`${name}: `) &&
            e.message.includes('positive whole number'),
          `${name}=${bad}`,
        );
      }
    }
    const q = loadConfig({
      QUOTA_CALLS_PER_HOUR: '10',
      QUOTA_CONCURRENT_CALLS: '2',
      QUOTA_MINUTES_PER_DAY: '60',
      SPEND_CAP_MINUTES_PER_DAY: '6000',
      MAX_CALL_SECONDS: '900',
      IDLE_CALL_SECONDS: '120',
    }).quotas;
    assert.deepEqual(
      { ...q, units: undefined },
      {
        callsPerHour: 10,
        concurrentCalls: 2,
        minutesPerDay: 60,
        spendCapMinutesPerDay: 6000,
        maxCallSeconds: 900,
        idleCallSeconds: 120,
        units: undefined,
      },
    );
    const none = loadConfig({ QUOTA_CALLS_PER_HOUR: '' }).quotas; // empty = unset
    assert.equal(none.callsPerHour, undefined);
    assert.equal(none.units.minuteMs, 60_000, 'real minutes unless a test says otherwise');
  });
});

describe('calls per hour', () => {
  test('refused at N+1 with 429, Retry-After and quota_calls_per_hour; each user counted alone', async () => {
    const server = await serve({ QUOTA_CALLS_PER_HOUR: '2' });
    assert.equal((await mintToken(server.base, 'alice')).status, 200);
    assert.equal((await mintToken(server.base, 'alice')).status, 200);
    const third = await mintToken(server.base, 'alice');
    assertRefused(third, 'quota_calls_per_hour', 3600);
    assert.match(
      third.body.error.message,
      /^This account has started its 2 calls for this hour: try again in \d+ (minutes|seconds)\.$/,
    );
    assert.equal((await mintToken(server.base, 'bob')).status, 200, 'another user is not affected');
  });

  test('a call through /connect counts too; one that fails to start does not', async () => {
    const server = await serve({ QUOTA_CALLS_PER_HOUR: '2' });
    for (let i = 0; i < 3; i++)
      assert.equal((await failedConnect(server.base, 'carol')).status, 502, 'the service refuses the offer');
    assert.equal((await mintToken(server.base, 'carol')).status, 200);
    assert.equal((await connectCall(server.base, ctx.client(), 'carol')).status, 201);
    assertRefused(await mintToken(server.base, 'carol'), 'quota_calls_per_hour', 3600);
    assertRefused(await refusedConnect(server.base, 'carol'), 'quota_calls_per_hour', 3600);
  });

  test('without sign-in the client address is the key, which no user id can share', async () => {
    const store = memoryQuotaStore();
    const byAddress = await serve({ QUOTA_CALLS_PER_HOUR: '1' }, { store, users: false });
    const signedIn = await serve({ QUOTA_CALLS_PER_HOUR: '1' }, { store });
    assert.equal((await mintToken(byAddress.base)).status, 200);
    const refused = await mintToken(byAddress.base);
    assertRefused(refused, 'quota_calls_per_hour', 3600);
    assert.match(refused.body.error.message, /^This address /);
    // A user whose id is this very address has a count of their own.
    assert.equal((await mintToken(signedIn.base, '127.0.0.1')).status, 200);
    assert.equal((await mintToken(signedIn.base, '::ffff:127.0.0.1')).status, 200);
  });

  test('an IPv6 client is counted by its /56, as the rate limiter counts it', async () => {
    const server = await serve({ QUOTA_CALLS_PER_HOUR: '1', TRUST_PROXY: '1' }, { users: false });
    const from = (address: string) => mintToken(server.base, undefined, { 'X-Forwarded-For': address });
    assert.equal((await from('2001:db8:1:100::1')).status, 200);
    assertRefused(await from('2001:db8:1:1ff::2'), 'quota_calls_per_hour', 3600); // the same /56
    assert.equal((await from('2001:db8:2::1')).status, 200, 'another /56');
  });
});

describe('concurrent calls (connect mode, real calls)', () => {
  test('refused at N+1, allowed again once a call ends; a call that fails to start holds no slot', async () => {
    const server = await serve({ QUOTA_CONCURRENT_CALLS: '1' });
    assert.equal((await failedConnect(server.base, 'dora')).status, 502);
    const first = ctx.client();
    assert.equal((await connectCall(server.base, first, 'dora')).status, 201, 'the failed call gave its slot back');
    const second = await refusedConnect(server.base, 'dora');
    assertRefused(second, 'quota_concurrent_calls', 60);
    assert.match(second.body.error.message, /^This account already has a call open/);
    assert.equal(
      (await connectCall(server.base, ctx.client(), 'erik')).status,
      201,
      'another user has slots of their own',
    );
    // Token mode is not counted as an open call: the server never sees it.
    assert.equal((await mintToken(server.base, 'dora')).status, 200);
    await endCall(server, first.callId);
    assert.equal((await connectCall(server.base, ctx.client(), 'dora')).status, 201, 'the ended call freed its slot');
  });

  test('the browser closing its side ends the call and frees the slot', async () => {
    const server = await serve({ QUOTA_CONCURRENT_CALLS: '1' });
    const first = ctx.client();
    assert.equal((await connectCall(server.base, first, 'fred')).status, 201);
    first.close();
    await until(() => server.quotas.openCalls === 0, 8000, 'the call to end when the browser leaves');
    assert.equal((await connectCall(server.base, ctx.client(), 'fred')).status, 201);
  });

  test('a browser that leaves before its answer holds no slot, and its call is hung up', async () => {
    // The service's answer takes 500 ms more to come back: time for the browser to give up.
    const server = await serve(
      { QUOTA_CONCURRENT_CALLS: '1' },
      {
        provider: (provider) =>
          withFault(provider, {
            createCall: async (offer, token, options, signal) => {
              const answer = await provider.createCall(offer, token, options, signal);
              await sleep(500);
              return answer;
            },
          }),
      },
    );
    const before = ctx.emulator.calls.size;
    const leaving = ctx.client();
    await leaving.pc.setLocalDescription(await leaving.pc.createOffer());
    const abort = new AbortController();
    const request = fetch(`${server.base}/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', 'X-Test-User': 'gus' },
      body: leaving.pc.localDescription!.sdp,
      signal: abort.signal,
    });
    // Gone once the service has the call, before the answer comes back (the emulator gathers first).
    await until(() => ctx.emulator.calls.size > before, 3000, 'the emulator to get the offer');
    abort.abort();
    await assert.rejects(request);
    await until(() => ctx.emulator.calls.size === before, 4000, 'the unjoinable call to be hung up');
    const next = ctx.client();
    assert.equal((await connectCall(server.base, next, 'gus')).status, 201, 'the slot was given back');
    await endCall(server, next.callId);
  });

  test("shutdown gives the slots of this instance's calls back (best effort)", async () => {
    const store = memoryQuotaStore();
    const a = await serve({ QUOTA_CONCURRENT_CALLS: '1' }, { store });
    const b = await serve({ QUOTA_CONCURRENT_CALLS: '1' }, { store });
    assert.equal((await connectCall(a.base, ctx.client(), 'gina')).status, 201);
    assertRefused(await refusedConnect(b.base, 'gina'), 'quota_concurrent_calls', 60);
    await a.quotas.shutdown();
    assert.equal((await connectCall(b.base, ctx.client(), 'gina')).status, 201);
  });
});

describe("minutes per day and the spend cap, from the calls' real start and end", () => {
  test("QUOTA_MINUTES_PER_DAY: a call's real length is counted; the next call gets what is left, then 429", async () => {
    const server = await serve({ QUOTA_MINUTES_PER_DAY: '5' }, { units: FAST }); // 5 "minutes" = 2.5 s
    const first = ctx.client();
    assert.equal((await connectCall(server.base, first, 'hana')).status, 201);
    await sleep(1000);
    await endCall(server, first.callId); // 1 s used (a little more on a loaded machine), 1.5 s left
    const second = ctx.client();
    assert.equal((await connectCall(server.base, second, 'hana')).status, 201, 'minutes are left');
    const started = Date.now();
    const call = ctx.emulator.calls.get(second.callId)!;
    await until(() => call.closed, 4000, 'the server to hang up when the minutes run out');
    const lasted = Date.now() - started;
    // Uncounted, the first call would leave the whole 2500 ms.
    assert.ok(lasted >= 800 && lasted < 2200, `the second call lasted ${lasted} ms of the 1500 left`);
    await until(() => server.quotas.openCalls === 0, 2000, 'the end to be counted');
    const refused = await refusedConnect(server.base, 'hana');
    assertRefused(refused, 'quota_minutes_per_day', 600);
    assert.equal(refused.body.error.message, 'This account has used its 5 minutes for today: try again tomorrow.');
    assertRefused(await mintToken(server.base, 'hana'), 'quota_minutes_per_day', 600);
    const other = ctx.client();
    assert.equal((await connectCall(server.base, other, 'ivan')).status, 201, 'another user has minutes of their own');
    await endCall(server, other.callId);
  });

  test('a token-mode token counts no minutes', async () => {
    const server = await serve({ QUOTA_MINUTES_PER_DAY: '1' }, { units: FAST });
    for (let i = 0; i < 3; i++) assert.equal((await mintToken(server.base, 'jo')).status, 200);
    await sleep(700);
    assert.equal((await mintToken(server.base, 'jo')).status, 200, 'no minutes were counted for tokens');
  });

  test("SPEND_CAP_MINUTES_PER_DAY: every user's calls together; over it, nobody gets a call or a token", async () => {
    const server = await serve({ SPEND_CAP_MINUTES_PER_DAY: '2' }, { units: FAST }); // 1 s for the whole site
    const first = ctx.client();
    assert.equal((await connectCall(server.base, first, 'kim')).status, 201);
    const call = ctx.emulator.calls.get(first.callId)!;
    const started = Date.now();
    await until(() => call.closed, 3000, 'the server to hang up at the spend cap');
    assert.ok(Date.now() - started >= 700, 'not before the cap');
    await until(() => server.quotas.openCalls === 0, 2000, 'the end to be counted');
    const refused = await refusedConnect(server.base, 'lea');
    assertRefused(refused, 'spend_cap_reached', 600);
    assert.equal(
      refused.body.error.message,
      'This site has used its 2 minutes of conversation for today: try again tomorrow.',
    );
    assertRefused(await mintToken(server.base, 'max'), 'spend_cap_reached', 600);
  });
});

const redisBinary = findRedis();
if (!redisBinary)
  console.log(
    'NOTICE: redis-server is not installed and could not be installed here: the shared quota tests are skipped.',
  );

describe(
  'two instances sharing one redis-server',
  { skip: !redisBinary && 'no redis-server here (see the notice above)' },
  () => {
    let redis: { url: string; stop(): void } | undefined;
    const atomicPrefix = `rv:q:${Math.random().toString(36).slice(2)}:`;
    const shared = async () => {
      const store = await redisQuotaStore(redis!.url, atomicPrefix);
      stores.push(store);
      return store;
    };
    before(async () => {
      redis = await startRedis(redisBinary!);
    });
    // The stores go before their redis-server: a quit() on a server being killed fails (ECONNRESET).
    after(async () => {
      await Promise.all(stores.splice(0).map((store) => store.close().catch(() => {})));
      redis?.stop();
    });

    test('calls per hour and concurrent calls hold across the instances', async () => {
      const prefix = `rv:q:${Math.random().toString(36).slice(2)}:`;
      const [storeA, storeB] = [await redisQuotaStore(redis!.url, prefix), await redisQuotaStore(redis!.url, prefix)];
      stores.push(storeA, storeB);
      const env = { QUOTA_CALLS_PER_HOUR: '3', QUOTA_CONCURRENT_CALLS: '1' };
      const [a, b] = [await serve(env, { store: storeA }), await serve(env, { store: storeB })];
      const call = ctx.client();
      assert.equal((await connectCall(a.base, call, 'nina')).status, 201);
      assertRefused(await refusedConnect(b.base, 'nina'), 'quota_concurrent_calls', 60);
      await endCall(a, call.callId);
      const second = ctx.client();
      assert.equal((await connectCall(b.base, second, 'nina')).status, 201, 'the slot freed on A is free on B');
      assert.equal((await mintToken(a.base, 'nina')).status, 200, 'the third call of the hour');
      assertRefused(await mintToken(b.base, 'nina'), 'quota_calls_per_hour', 3600);
      assertRefused(await mintToken(a.base, 'nina'), 'quota_calls_per_hour', 3600);
      assert.equal((await mintToken(b.base, 'omar')).status, 200);
      await endCall(b, second.callId);
    });

    test('minutes counted on one instance are refused on the other', async () => {
      const prefix = `rv:q:${Math.random().toString(36).slice(2)}:`;
      const [storeA, storeB] = [await redisQuotaStore(redis!.url, prefix), await redisQuotaStore(redis!.url, prefix)];
      stores.push(storeA, storeB);
      const env = { QUOTA_MINUTES_PER_DAY: '2', SPEND_CAP_MINUTES_PER_DAY: '10' };
      const [a, b] = [
        await serve(env, { store: storeA, units: FAST }),
        await serve(env, { store: storeB, units: FAST }),
      ];
      const call = ctx.client();
      assert.equal((await connectCall(a.base, call, 'pia')).status, 201);
      await until(() => a.quotas.openCalls === 0, 3000, "A to hang up at the user's minute");
      assertRefused(await refusedConnect(b.base, 'pia'), 'quota_minutes_per_day', 600);
    });

    test('with Redis gone a request is refused at once (503 quota_unavailable), not let through', async () => {
      const own = await startRedis(redisBinary!);
      const store = await redisQuotaStore(own.url);
      stores.push(store);
      const server = await serve({ QUOTA_CALLS_PER_HOUR: '5' }, { store });
      assert.equal((await mintToken(server.base, 'quinn')).status, 200);
      own.stop();
      await until(async () => (await mintToken(server.base, 'quinn')).status !== 200, 3000, 'Redis to be missed');
      const started = Date.now();
      const refused = await mintToken(server.base, 'quinn');
      assert.equal(refused.status, 503);
      assert.equal(refused.body.error.code, 'quota_unavailable');
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      assert.ok(Date.now() - started < 1000, 'at once, not after a reconnect wait');
    });

    test('the Redis store is atomic: 20 simultaneous takes and acquires never pass the limit', async () => {
      const [s1, s2] = [await shared(), await shared()];
      const takes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? s1 : s2).take('calls:1:user:x', 3, 60_000)),
      );
      assert.equal(takes.filter(Boolean).length, 3);
      const slots = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? s1 : s2).acquire('open:user:x', `slot-${i}`, 2, Date.now() + 60_000),
        ),
      );
      assert.equal(slots.filter((s) => s.ok).length, 2);
      const held = slots.findIndex((s) => s.ok);
      assert.equal(await s1.release('open:user:x', `slot-${held}`), true);
      assert.equal(await s2.release('open:user:x', `slot-${held}`), false, 'a slot is released once');
      assert.equal((await s1.acquire('open:user:x', 'again', 2, Date.now() + 60_000)).ok, true);
    });
  },
);
