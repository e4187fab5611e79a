// Several server instances share one rate limit through a real redis-server
// (Debian's package), which this test starts itself on a loopback port.
// Where no redis-server can be found or installed, it is skipped with a notice
// saying so (CI installs it: .ci/run).
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createProvider } from '../../server/src/providers/index.ts';
import { redisRateLimitStore, type SharedStore } from '../../server/src/rate-limit-store.ts';
import { UpstreamStandIn } from './support/upstream-standin.ts';

function findRedis(): string | undefined {
  for (const path of ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'])
    if (existsSync(path)) return path;
  if (process.platform === 'linux' && existsSync('/etc/debian_version') && process.getuid?.() === 0) {
    console.log('[redis test] installing Debian redis-server…');
    try {
      execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'redis-server'], {
        stdio: 'ignore',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    } catch {
      return undefined;
    }
    return existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined;
  }
  return undefined;
}

const redisBinary = findRedis();
if (!redisBinary)
  console.log(
    'NOTICE: redis-server is not installed and could not be installed here: the shared rate-limit test is skipped.',
  );

let redis: ChildProcess | undefined;
let redisUrl = '';
const upstream = new UpstreamStandIn();
const stores: SharedStore[] = [];
const servers: Server[] = [];

before(async () => {
  if (!redisBinary) return;
  const port = 20000 + Math.floor(Math.random() * 20000);
  redis = spawn(redisBinary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  redisUrl = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    try {
      const probe = await redisRateLimitStore(redisUrl);
      await probe.close();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.all(stores.map((s) => s.close()));
  await upstream.stop();
  redis?.kill();
});

async function instance(upstreamBase: string): Promise<string> {
  const config = loadConfig({
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: `${upstreamBase}/v1`,
    RATE_LIMIT_MAX: '3',
    RATE_LIMIT_WINDOW_MS: '60000',
    REDIS_URL: redisUrl,
  });
  const shared = await redisRateLimitStore(config.redisUrl!);
  stores.push(shared);
  const app = createApp(config, {
    provider: createProvider(config),
    logger: pino({ level: 'silent' }),
    rateLimitStore: shared.store,
  });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test(
  'two instances count one client together through Redis',
  { skip: !redisBinary && 'no redis-server here (see the notice above)' },
  async () => {
    const upstreamBase = await upstream.start();
    const [a, b] = [await instance(upstreamBase), await instance(upstreamBase)];
    const token = (base: string) =>
      fetch(`${base}/token`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    const statuses = [(await token(a)).status, (await token(b)).status, (await token(a)).status];
    const fourth = await token(b);
    assert.deepEqual(statuses, [200, 200, 200]);
    assert.equal(fourth.status, 429, "the second instance knows about the first one's requests");
    assert.ok(Number(fourth.headers.get('retry-after')) > 0);
  },
);
