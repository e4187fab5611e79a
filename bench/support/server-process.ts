/**
 * The reference server in its own process for the throughput runs, in front
 * of the stand-in (UPSTREAM_BASE). Answers `rss` over IPC with its resident
 * memory and heap after a full garbage collection (run with --expose-gc).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createProvider } from '../../server/src/providers/index.ts';

const config = loadConfig({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${process.env.UPSTREAM_BASE}/v1`, RATE_LIMIT_MAX: '10000000' });
const app = createApp(config, { provider: createProvider(config), logger: pino({ level: 'silent' }) });
const http = createServer(app);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
process.send!({ base: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
process.on('message', (message) => {
  if (message === 'exit') process.exit(0); // a clean exit, so --cpu-prof can write its profile
  if (message !== 'rss') return;
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  process.send!({ rss, heapUsed });
});
process.on('disconnect', () => process.exit(0));
