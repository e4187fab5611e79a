/**
 * A real redis-server for a test file, on a free loopback port, as redis-rate-limit.test.ts
 * starts one (Debian's package; installed when missing and we are root on Debian). Undefined
 * binary = skip the Redis tests with a notice.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createClient } from 'redis';

export function findRedis(): string | undefined {
  for (const path of ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/opt/homebrew/bin/redis-server'])
    if (existsSync(path)) return path;
  if (process.platform === 'linux' && existsSync('/etc/debian_version') && process.getuid?.() === 0) {
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and waits until it answers PING; `stop()` kills it. */
export async function startRedis(binary: string): Promise<{ url: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const client = createClient({ url });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      await client.quit();
      return { url, stop: () => void child.kill() };
    } catch {
      await client.destroy?.();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`redis-server did not answer on ${url}`);
}
