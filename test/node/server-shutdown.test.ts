/**
 * Graceful shutdown of the real server process (server/src/index.ts) with calls in flight: SIGTERM
 * while /token and /connect requests wait on a slow upstream (the stand-in answers after 1.5 s).
 * Every one of them gets its answer, new connections are refused, the call's observer socket is
 * closed with 1001 and a reason, and the process exits 0 well before the drain deadline.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { DRAIN_DEADLINE_MS } from '../../server/src/shutdown.ts';
import { UpstreamStandIn } from './support/upstream-standin.ts';

const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const UPSTREAM_DELAY_MS = 1500;

async function freePort(): Promise<number> {
  const free = createTcpServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  return port;
}

describe('graceful shutdown (the server process, SIGTERM with requests in flight)', () => {
  const standIn = new UpstreamStandIn();
  const observerCloses: Array<{ n: number; code: number; reason: string }> = [];
  let opened = 0;
  const sockets = new WebSocketServer({ noServer: true });
  let upstream = '';
  before(async () => {
    upstream = await standIn.start();
    // The observer's socket (wss://…/v1/realtime?call_id=…, here ws://): what close code and reason it gets.
    standIn.onUpgrade = (req, socket, head) =>
      sockets.handleUpgrade(req, socket, head, (ws) => {
        const n = ++opened;
        ws.on('close', (code, reason) => observerCloses.push({ n, code, reason: reason.toString() }));
      });
  });
  after(async () => {
    sockets.close();
    await standIn.stop();
  });

  test('no request dropped, observers closed with a reason, exit 0', { timeout: 90_000 }, async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
      env: {
        ...process.env,
        AUTH_MODE: 'none',
        PORT: String(port),
        REALTIME_PROVIDER: 'openai',
        OPENAI_API_KEY: 'sk-shutdown-test',
        OPENAI_BASE_URL: `${upstream}/v1`,
        REALTIME_OBSERVER: 'true',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
      child.once('exit', (code) => resolve({ code, at: performance.now() })),
    );
    try {
      // tsx compiles the server first: under a loaded CI machine that took over 20 s once.
      const startBy = Date.now() + 60_000;
      let up = false;
      while (!up && Date.now() < startBy && child.exitCode === null) {
        up = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(up, `the server came up: ${output.slice(-1500)}`);

      // One call made while all is well: its observer opens on the stand-in.
      const first = await fetch(`${base}/connect`, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp' },
        body: OFFER,
      });
      assert.equal(first.status, 201);
      const observerBy = Date.now() + 10_000;
      while (sockets.clients.size === 0 && Date.now() < observerBy) await new Promise((r) => setTimeout(r, 50));
      assert.equal(sockets.clients.size, 1, 'the call has an observer socket');

      // Now the service is slow: 10 /token and 5 /connect are in flight when SIGTERM comes.
      standIn.faults = {
        secrets: { kind: 'slow', ms: UPSTREAM_DELAY_MS },
        calls: { kind: 'slow', ms: UPSTREAM_DELAY_MS },
      };
      const before = standIn.requests.length;
      const tokens = Array.from({ length: 10 }, () =>
        fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
          async (r) => ({ status: r.status, body: await r.json() }),
        ),
      );
      const calls = Array.from({ length: 5 }, () =>
        fetch(`${base}/connect`, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: OFFER }).then(
          async (r) => ({ status: r.status, body: await r.text() }),
        ),
      );
      // All 15 have reached the upstream (each /connect's first step, its client secret, is one request there).
      const inFlightBy = Date.now() + 10_000;
      while (standIn.requests.length < before + 15 && Date.now() < inFlightBy)
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(standIn.requests.length - before, 15, 'all requests in flight at the upstream');
      const signalledAt = performance.now();
      child.kill('SIGTERM');

      // The listener closes at once: a new connection is refused while the old requests finish.
      await new Promise((r) => setTimeout(r, 300));
      const late = await fetch(`${base}/healthz`).then(
        (r) => `answered ${r.status}`,
        (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
      );
      assert.equal(late, 'ECONNREFUSED', 'a new connection after SIGTERM is refused');

      const tokenAnswers = await Promise.all(tokens);
      const callAnswers = await Promise.all(calls);
      for (const answer of tokenAnswers) {
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.match(String(answer.body.value), /^ek_standin_/);
      }
      for (const answer of callAnswers) {
        assert.equal(answer.status, 201, answer.body);
        assert.match(answer.body, /^v=0/);
      }

      const { code, at } = await exited;
      assert.equal(code, 0, output.slice(-1500));
      const exitMs = at - signalledAt;
      assert.ok(exitMs < DRAIN_DEADLINE_MS, `exited ${Math.round(exitMs)} ms after SIGTERM, inside the drain deadline`);
      // Every observer socket the server had opened (the first call's, and the in-flight calls' ones) closed with the reason.
      assert.ok(observerCloses.length >= 1);
      for (const close of observerCloses)
        assert.deepEqual(
          { code: close.code, reason: close.reason },
          { code: 1001, reason: 'server shutting down' },
          JSON.stringify(observerCloses),
        );
      assert.match(output, /"msg":"shut down"/);
      assert.match(output, /"cut":0/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
