// Bounded load on loopback: 10,000 requests (autocannon, 10 connections) mixing
// the routes a page calls: a token, an SDP offer through /connect, a bad body
// and a health check, against the reference server in front of the upstream
// stand-in. Every request must be answered as its input deserves (no 5xx, no
// errors, no timeouts), and memory must hold steady: the heap after garbage
// collection, measured after warm-up, half-way and at the end, must not climb.
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createHttpServer } from '../../server/src/http-server.ts';
import { createProvider } from '../../server/src/providers/index.ts';
import { UpstreamStandIn } from './support/upstream-standin.ts';

const KEY = 'sk-load-secret-key-0123456789abcdef';
const OFFER = 'v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const TOTAL = 10_000;
const upstream = new UpstreamStandIn();
const statuses = new Map<number, number>();
let logLines = 0;
let keyInLogs = 0;
let server: Server;
let base = '';

// A full collection before each reading, without asking the test runner for --expose-gc.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MB = 1024 * 1024;
function memory(): { rss: number; heap: number } {
  gc();
  gc();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss: rss / MB, heap: heapUsed / MB };
}

before(async () => {
  upstream.recording = false; // a record of 15,000 upstream requests would grow the process under measurement
  const upstreamBase = await upstream.start();
  const config = loadConfig({
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: `${upstreamBase}/v1`,
    RATE_LIMIT_MAX: String(TOTAL * 10),
  });
  // Counted and scanned as they are written, not kept: the log must not be what grows.
  const logger = pino(
    { level: 'info' },
    {
      write(line: string) {
        logLines++;
        if (line.includes(KEY)) keyInLogs++;
        const status = /"msg":"request"/.test(line) ? Number(/"status":(\d+)/.exec(line)?.[1]) : 0;
        if (status) statuses.set(status, (statuses.get(status) ?? 0) + 1);
      },
    },
  );
  server = createHttpServer(createApp(config, { provider: createProvider(config), logger }), config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await upstream.stop();
});

/** Each connection cycles through these four: two that succeed, one refused (400), one health check. */
const mix: autocannon.Request[] = [
  {
    method: 'POST',
    path: '/token',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ voice: 'marin', instructions: 'Be brief.' }),
  },
  { method: 'POST', path: '/connect', headers: { 'content-type': 'application/sdp' }, body: OFFER },
  { method: 'POST', path: '/token', headers: { 'content-type': 'application/json' }, body: '{"voice": ' },
  { method: 'GET', path: '/healthz' },
];

function load(amount: number): Promise<autocannon.Result> {
  return autocannon({ url: base, connections: 10, amount, timeout: 10, requests: mix });
}

test(
  `${TOTAL.toLocaleString('en')} requests on loopback: every one answered as it deserves, zero 5xx, memory steady`,
  { timeout: 120_000 },
  async (t) => {
    await load(500); // warm-up: JIT, sockets, the rate limiter's entry
    statuses.clear();
    const start = memory();
    const first = await load(TOTAL / 2);
    const middle = memory();
    const second = await load(TOTAL / 2);
    const end = memory();

    const latency = (p: 'p50' | 'p99') => Math.max(first.latency[p], second.latency[p]);
    t.diagnostic(
      `${first.requests.total + second.requests.total} requests in ${(first.duration + second.duration).toFixed(1)} s (${Math.round((first.requests.total + second.requests.total) / (first.duration + second.duration))} req/s), ` +
        `p50 ${latency('p50')} ms, p99 ${latency('p99')} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `RSS ${start.rss.toFixed(0)} → ${middle.rss.toFixed(0)} → ${end.rss.toFixed(0)} MB; heap after GC ${start.heap.toFixed(1)} → ${middle.heap.toFixed(1)} → ${end.heap.toFixed(1)} MB; ` +
        `${logLines} log lines scanned`,
    );

    const results = [first, second];
    const sum = (pick: (r: autocannon.Result) => number) => results.reduce((n, r) => n + pick(r), 0);
    const served = sum((r) => r['2xx'] + r['4xx'] + r['5xx']);
    assert.equal(
      sum((r) => r.errors),
      0,
      'connection errors',
    );
    assert.equal(
      sum((r) => r.timeouts),
      0,
      'timeouts',
    );
    assert.equal(
      sum((r) => r['5xx']),
      0,
      '5xx answers',
    );
    assert.equal(served, TOTAL, 'every request answered');
    // The server's own record agrees: 200 (token, health), 201 (connect) and 400 (the bad body) only.
    assert.deepEqual([...statuses.keys()].sort(), [200, 201, 400]);
    const refused = statuses.get(400)!;
    assert.ok(Math.abs(refused - TOTAL / 4) <= 20, `${refused} bad bodies refused, about a quarter expected`);
    assert.equal(keyInLogs, 0, 'the key in a log line');

    // Steady: the live heap does not grow with the number of requests served.
    const heapGrowth = end.heap - start.heap;
    assert.ok(heapGrowth < 8, `live heap grew ${heapGrowth.toFixed(1)} MB over ${TOTAL} requests`);
    assert.ok(
      end.heap - middle.heap < 4,
      `live heap grew ${(end.heap - middle.heap).toFixed(1)} MB over the second ${TOTAL / 2}`,
    );
    // RSS swings by tens of MB with the allocator and autocannon's own buffers (this process runs both), so
    // it is only a coarse bound here; a leak of 10 KB a request would still cross it.
    assert.ok(end.rss - start.rss < 100, `RSS grew ${(end.rss - start.rss).toFixed(0)} MB`);
  },
);
