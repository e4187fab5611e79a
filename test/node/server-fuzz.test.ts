// Property-based fuzzing (fast-check) of every input the reference server
// takes from a browser: bodies, content types and encodings, methods, paths,
// queries and headers of /token, /connect and /healthz, and every answer an
// upstream may give. Whatever comes in, the server must:
//   - never answer 5xx through its own fault (5xx only as upstream_* codes),
//   - answer every 4xx with a JSON error carrying a specific code and message,
//   - never put the provider's key in a response or a log line,
//   - answer valid input with success (the oracle is the documented contract).
// Runs are bounded (numRuns) and seeded per run; a failure prints its seed and
// the shrunk counterexample, which fc.assert can replay.
import assert from 'node:assert/strict';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import './support/fast-check-seed.ts';
import { pino } from 'pino';
import { createApp, jsonNotFound } from '../../server/src/app.ts';
import { loadConfig, VOICES } from '../../server/src/config.ts';
import { createHttpServer } from '../../server/src/http-server.ts';
import { createProvider } from '../../server/src/providers/index.ts';
import { UpstreamStandIn, type Fault } from './support/upstream-standin.ts';

// A failing run reports the assertion that failed, not only the counterexample.
fc.configureGlobal({ includeErrorInReport: true });

const KEY = 'sk-fuzz-secret-key-0123456789abcdef';
const ALLOWED = 'https://shop.example';
const OFFER = 'v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
const upstream = new UpstreamStandIn();
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const logLines: string[] = [];
let server: Server;
let base = '';
/** Figures for SECURITY.md: requests sent per property, and what came back. */
const tally = { requests: 0, statuses: new Map<number, number>() };

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: { error?: { code?: unknown; message?: unknown }; [k: string]: unknown };
}

interface Req {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

/** node:http rather than fetch: fetch refuses some methods and headers a hostile client may send. */
function send(input: Req, retried = false): Promise<Answer> {
  const { method, path, headers = {}, body } = input;
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method, headers, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        tally.requests++;
        tally.statuses.set(res.statusCode!, (tally.statuses.get(res.statusCode!) ?? 0) + 1);
        resolve({ status: res.statusCode!, headers: res.headers, text, json });
      });
    });
    req.on('error', (error: Error & { code?: string }) => {
      // A kept-alive socket the server closed after its previous answer (say a 413 before the whole body
      // arrived): Node's documented race; the request never reached the server, so it is sent again.
      if (req.reusedSocket && !retried && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
        send(input, true).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
  });
}

/** The invariants every answer keeps, whatever the input. */
function checkAnswer(req: Req, res: Answer, upstreamMayFail = false): void {
  const where = `${req.method} ${req.path} → ${res.status} ${res.text.slice(0, 200)}`;
  assert.ok(!`${JSON.stringify(res.headers)}${res.text}`.includes(KEY), `key in the answer: ${where}`);
  if (res.status >= 500) {
    assert.ok(upstreamMayFail, `a 5xx with a healthy upstream: ${where}`);
    assert.ok([502, 503, 504].includes(res.status), where);
    assert.match(String(res.json?.error?.code), /^upstream_/, where);
  }
  if (res.status >= 400 && req.method !== 'HEAD') {
    assert.match(String(res.headers['content-type']), /^application\/json/, where);
    assert.match(String(res.json?.error?.code), /^[a-z_]{3,40}$/, where);
    assert.notEqual(res.json?.error?.code, 'internal_error', where);
    assert.ok(
      typeof res.json?.error?.message === 'string' && res.json.error.message.length >= 15,
      `a specific message: ${where}`,
    );
    assert.doesNotMatch(res.text, /\n\s+at |node_modules/, `no stack trace: ${where}`);
  }
}

// ---- arbitraries ----

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const headerName = fc
  .stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
  .filter(
    (n) =>
      ![
        'content-length',
        'transfer-encoding',
        'host',
        'connection',
        'expect',
        'upgrade',
        'te',
        'trailer',
        'keep-alive',
      ].includes(n),
  );
const voice = fc.oneof(fc.constantFrom(...VOICES), fc.string({ maxLength: 20 }));
const instructions = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 300 }),
  fc.integer({ min: 3990, max: 4010 }).map((n) => 'i'.repeat(n)),
);
/** Preferences near the valid shape: most fields right, some wrong, sometimes extra keys (including __proto__). */
const preferences = fc
  .record(
    {
      voice: fc.oneof(voice, fc.constant(null), fc.integer(), fc.array(fc.string(), { maxLength: 2 })),
      instructions: fc.oneof(instructions, fc.constant(null), fc.boolean(), fc.object({ maxDepth: 2 })),
      extra: fc.dictionary(
        fc.constantFrom('model', 'sdp', '__proto__', 'constructor', 'tools', 'x'),
        fc.jsonValue({ maxDepth: 2 }),
        { maxKeys: 2 },
      ),
    },
    { requiredKeys: [] },
  )
  .map(({ extra, ...fields }) => JSON.stringify({ ...fields, ...extra }).replace('"extra":', '"x":'));
const validPreferences = fc
  .record({ voice: fc.constantFrom(...VOICES), instructions: fc.string({ maxLength: 300 }) }, { requiredKeys: [] })
  .map((p) => JSON.stringify(p));
const deepJson = fc
  .integer({ min: 1, max: 20_000 })
  .chain((depth) =>
    fc.constantFrom('['.repeat(depth) + ']'.repeat(depth), '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  );
const jsonBody = fc.oneof(
  { weight: 3, arbitrary: preferences },
  { weight: 2, arbitrary: validPreferences },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
  { weight: 1, arbitrary: deepJson },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 15_000, max: 200_000 }).map((n) => JSON.stringify({ instructions: 'x'.repeat(n) })),
  },
);
const bytes = fc.uint8Array({ maxLength: 2000 });
const contentType = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('application/json', 'application/json; charset=utf-8') },
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/sdp',
    'application/sdp; charset=utf-8',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=utf-16le',
    'application/json; charset=bogus',
    'application/*',
    '*/*',
  ),
  printable,
);
const encoding = fc.option(fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-unknown', 'gzip, gzip'), {
  nil: undefined,
});

/** The documented contract for /token: a JSON object with at most a known voice and instructions up to 4000 characters. */
function tokenShouldSucceed(ct: string, enc: string | undefined, body: string): boolean | 'either' {
  if (
    !['application/json', 'application/json; charset=utf-8', 'Application/JSON'].includes(ct) ||
    (enc && enc !== 'identity' && enc !== 'gzip')
  )
    return false;
  let value: unknown;
  try {
    value = body === '' ? {} : JSON.parse(body); // no body at all reads as {}: no preferences
  } catch {
    return false;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const record = value as Record<string, unknown>;
  if (Object.keys(record).some((k) => k !== 'voice' && k !== 'instructions')) return false;
  if (record.voice !== undefined && !(VOICES as readonly unknown[]).includes(record.voice)) return false;
  if (
    record.instructions !== undefined &&
    (typeof record.instructions !== 'string' || record.instructions.trim().length > 4000)
  )
    return false;
  return Buffer.byteLength(body) <= 16 * 1024;
}

before(async () => {
  const upstreamBase = await upstream.start();
  const config = loadConfig({
    OPENAI_API_KEY: KEY,
    OPENAI_BASE_URL: `${upstreamBase}/v1`,
    ALLOWED_ORIGINS: ALLOWED,
    RATE_LIMIT_MAX: '1000000',
    UPSTREAM_TIMEOUT_MS: '300',
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  // As index.ts assembles it: the app, then the JSON 404 for any other path, in the HTTP server with its deadlines.
  const app = createApp(config, { provider: createProvider(config), logger });
  app.use(jsonNotFound);
  server = createHttpServer(app, config);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  agent.destroy();
  server.closeAllConnections();
  server.close();
  await upstream.stop();
});

describe('property-based fuzzing of the reference server', () => {
  test('POST /token: any body, content type and encoding → success exactly for valid input, else a specific 4xx', async (t) => {
    const before = tally.requests;
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonBody, bytes), contentType, encoding, async (body, ct, enc) => {
        const raw = typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
        const payload = enc === 'gzip' && typeof body === 'string' ? gzipSync(raw) : raw;
        const headers: Record<string, string> = { 'Content-Type': ct };
        if (enc) headers['Content-Encoding'] = enc;
        const req = { method: 'POST', path: '/token', headers, body: payload };
        const res = await send(req);
        checkAnswer(req, res);
        const text = raw.toString('utf8');
        // Raw bytes declared compressed may happen to decompress (one byte can be a valid empty brotli stream).
        const undecidable = enc === 'deflate' || enc === 'br' || (enc === 'gzip' && typeof body !== 'string');
        const ok = undecidable ? 'either' : Buffer.from(text).equals(raw) && tokenShouldSucceed(ct, enc, text);
        if (ok === 'either') return;
        assert.equal(res.status, ok ? 200 : res.status, `valid input refused: ${res.text.slice(0, 200)}`);
        if (ok) assert.match(String(res.json?.value), /^ek_standin_/);
        else
          assert.ok(
            res.status >= 400 && res.status < 500,
            `invalid input accepted: ${String(body).slice(0, 100)} → ${res.status}`,
          );
      }),
      { numRuns: 400 },
    );
    t.diagnostic(`/token: ${tally.requests - before} requests`);
  });

  test('POST /connect: SDP or JSON bodies, right or wrong → 201 SDP exactly for a valid offer, else a specific 4xx', async (t) => {
    const before = tally.requests;
    const sdpish = fc.oneof(
      fc.constant(OFFER),
      fc.string({ maxLength: 200 }).map((s) => `v=0\r\n${s}`),
      fc.string({ maxLength: 200 }),
      fc.integer({ min: 60_000, max: 120_000 }).map((n) => `v=0\r\n${'a=x\r\n'.repeat(n / 5)}`),
    );
    const input = fc.oneof(
      sdpish.map((sdp) => ({
        ct: 'application/sdp',
        body: sdp,
        valid: sdp.startsWith('v=') && Buffer.byteLength(sdp) <= 64 * 1024,
      })),
      fc
        .record(
          { sdp: fc.oneof(sdpish, fc.integer(), fc.constant(null)), voice: fc.option(voice, { nil: undefined }) },
          { requiredKeys: [] },
        )
        .map((b) => ({
          ct: 'application/json',
          body: JSON.stringify(b),
          valid:
            typeof b.sdp === 'string' &&
            b.sdp.startsWith('v=') &&
            (b.voice === undefined || (VOICES as readonly string[]).includes(b.voice)) &&
            JSON.stringify(b).length <= 80 * 1024,
        })),
      fc.tuple(contentType, fc.oneof(jsonBody, fc.string())).map(([ct, body]) => ({ ct, body, valid: false })),
    );
    await fc.assert(
      fc.asyncProperty(input, async ({ ct, body, valid }) => {
        const req = { method: 'POST', path: '/connect', headers: { 'Content-Type': ct }, body };
        const res = await send(req);
        checkAnswer(req, res);
        if (valid) {
          assert.equal(res.status, 201, res.text.slice(0, 200));
          assert.match(String(res.headers['content-type']), /^application\/sdp/);
        } else if (ct.startsWith('application/sdp') || ct.startsWith('application/json')) {
          assert.ok(res.status >= 400 && res.status < 500, `${ct} ${body.slice(0, 80)} → ${res.status}`);
        }
      }),
      { numRuns: 300 },
    );
    t.diagnostic(`/connect: ${tally.requests - before} requests`);
  });

  test('any method, path, query and headers on every route → never 5xx, 4xx always JSON; CORS only for the allowed origin', async (t) => {
    const before = tally.requests;
    const path = fc.oneof(
      fc.constantFrom(
        '/token',
        '/connect',
        '/healthz',
        '/token/',
        '/healthz/',
        '/token/x',
        '/connect/../healthz',
        '/%2e%2e/token',
        '/healthz%00',
        '/nowhere',
        '/',
        '//token',
      ),
      fc.stringMatching(/^\/[A-Za-z0-9._~%/-]{0,40}$/),
    );
    const query = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^\?[A-Za-z0-9=&%._~+-]{0,60}$/),
      fc.constant('?a=%zz&b=%'),
      fc.constant(`?${'x=1&'.repeat(2000)}`.slice(0, 8000)),
    );
    const origin = fc.option(
      fc.oneof(
        fc.constantFrom(
          ALLOWED,
          'https://evil.example',
          'null',
          'http://shop.example',
          `${ALLOWED}.evil.example`,
          `${ALLOWED}/`,
        ),
        fc.webUrl(),
        printable,
      ),
      { nil: undefined },
    );
    const method = fc.oneof(
      fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE'),
      fc.stringMatching(/^[A-Z]{3,10}$/),
    );
    const headers = fc.dictionary(headerName, printable, { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        query,
        origin,
        headers,
        fc.option(contentType, { nil: undefined }),
        fc.option(fc.oneof(jsonBody, fc.string()), { nil: undefined }),
        fc.option(printable, { nil: undefined }),
        async (m, p, q, o, extra, ct, body, requestId) => {
          const h: Record<string, string> = { ...extra };
          if (o !== undefined) h.Origin = o;
          if (ct !== undefined) h['Content-Type'] = ct;
          if (requestId !== undefined) h['X-Request-Id'] = requestId;
          const req = {
            method: m,
            path: `${p}${q}`,
            headers: h,
            body: m === 'GET' || m === 'HEAD' || m === 'TRACE' ? undefined : body,
          };
          let res: Answer;
          try {
            res = await send(req);
          } catch (error) {
            // Only methods Node's parser does not know may be refused at the socket; those are not the app's answers.
            assert.match(String((error as Error).message), /socket hang up|ECONNRESET|Parse Error/, `${m} ${p}`);
            return;
          }
          if (res.status === 400 && res.json?.error?.code === 'bad_request') return checkAnswer(req, res); // unparseable at the HTTP layer
          checkAnswer(req, res);
          const api = /^\/(token|connect|healthz)\/?$/.test(p);
          // An empty Origin is no Origin (no browser sends one): treated as a non-browser client. So is one of
          // white space only: the HTTP parser trims a header value's surrounding white space, leaving it empty.
          const sent = o?.trim();
          if (api && sent && sent !== ALLOWED && sent !== base) {
            assert.equal(res.status, 403, `${m} ${p} from ${sent}`);
            if (m !== 'HEAD') assert.equal(res.json?.error?.code, 'origin_not_allowed');
          }
          if (res.headers['access-control-allow-origin'] !== undefined)
            assert.equal(res.headers['access-control-allow-origin'], ALLOWED);
          const id = res.headers['x-request-id'];
          if (id !== undefined) assert.match(String(id), /^[\w-]{1,64}$/, 'the request id echoed only when sane');
        },
      ),
      { numRuns: 500 },
    );
    t.diagnostic(`methods/paths/headers: ${tally.requests - before} requests`);
  });

  test('any upstream answer (every status 200-599, garbage bytes, HTML, truncation, reset, hang, redirect) → 2xx, 429 or upstream_* 502/503/504, never its 401/403', async (t) => {
    const before = tally.requests;
    const fault: fc.Arbitrary<Fault> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('raw' as const),
          status: fc.integer({ min: 200, max: 599 }),
          contentType: fc.option(
            fc.constantFrom('application/json', 'text/html', 'application/sdp', 'application/octet-stream'),
            { nil: undefined },
          ),
          body: fc.oneof(
            fc.jsonValue().map((v) => JSON.stringify(v)),
            fc.string(),
            bytes,
            fc.constant('{"error":{"code":"x","message":"' + 'm'.repeat(2000) + '"}}'),
            fc.constant(
              JSON.stringify({
                error: { code: 'echo', message: `Key ${KEY} refused; sent Authorization: Bearer ${KEY}` },
              }),
            ),
          ),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('status' as const),
          status: fc.integer({ min: 400, max: 599 }),
          retryAfter: fc.option(fc.constantFrom('0', '5', 'soon', '999999'), { nil: undefined }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom<Fault>(
          { kind: 'ok' },
          { kind: 'reset' },
          { kind: 'truncated' },
          { kind: 'malformed' },
          { kind: 'html' },
          { kind: 'hang' },
          { kind: 'redirect', location: 'http://localhost:9/steal' },
        ),
      },
    );
    await fc.assert(
      fc.asyncProperty(fault, fault, fc.boolean(), async (secrets, calls, viaConnect) => {
        upstream.faults = { secrets, calls };
        const req = viaConnect
          ? { method: 'POST', path: '/connect', headers: { 'Content-Type': 'application/sdp' }, body: OFFER }
          : { method: 'POST', path: '/token', headers: { 'Content-Type': 'application/json' }, body: '{}' };
        const res = await send(req);
        checkAnswer(req, res, true);
        assert.ok(
          res.status < 300 || [429, 502, 503, 504].includes(res.status),
          `${JSON.stringify({ secrets, calls }).slice(0, 200)} → ${res.status}`,
        );
        if (res.status >= 400) assert.match(String(res.json?.error?.code), /^upstream_/);
        if (res.status === 429) assert.match(String(res.headers['retry-after']), /^\S+$/, 'Retry-After passed on');
        if (res.status < 300)
          assert.ok(
            viaConnect
              ? res.text.startsWith('v=')
              : typeof res.json?.value === 'string' && String(res.json.value).length > 0,
            'a success carries what it promises',
          );
      }),
      { numRuns: 300 },
    );
    upstream.reset();
    t.diagnostic(`upstream faults: ${tally.requests - before} requests`);
  });

  test('rate limit: for any limit N, requests 1..N pass and the rest get 429 JSON with Retry-After', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 4 }), async (limit, over) => {
        const config = loadConfig({
          OPENAI_API_KEY: KEY,
          OPENAI_BASE_URL: base.replace(/:\d+$/, ':1'),
          RATE_LIMIT_MAX: String(limit),
        });
        // A provider that needs no network: the limit is decided before it is reached.
        const provider = {
          ...createProvider(config),
          createClientSecret: async () => ({ value: 'ek_local', expires_at: 1 }),
          name: 'openai' as const,
          callsUrl: () => 'x',
        };
        const limited = createHttpServer(
          createApp(config, { provider: provider as never, logger: pino({ level: 'silent' }) }),
          config,
        );
        await new Promise<void>((resolve) => limited.listen(0, '127.0.0.1', resolve));
        const url = `http://127.0.0.1:${(limited.address() as AddressInfo).port}/token`;
        try {
          const statuses: number[] = [];
          for (let i = 0; i < limit + over; i++) {
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'Content-Type': 'application/json' },
              body: '{}',
            });
            statuses.push(res.status);
            if (res.status === 429) {
              assert.equal((await res.json()).error.code, 'rate_limited');
              assert.ok(Number(res.headers.get('retry-after')) >= 1);
            } else await res.text();
          }
          assert.deepEqual(statuses, [...Array(limit).fill(200), ...Array(over).fill(429)]);
        } finally {
          limited.closeAllConnections();
          limited.close();
        }
      }),
      { numRuns: 25 },
    );
  });

  test('no key in any log line; every request logged with its id, and no 5xx logged but upstream ones', (t) => {
    assert.ok(logLines.length > 1000, `${logLines.length} log lines`);
    assert.equal(logLines.filter((line) => line.includes(KEY)).length, 0);
    const fiveHundreds = logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.status >= 500);
    assert.equal(fiveHundreds.filter((l) => ![502, 503, 504].includes(l.status)).length, 0);
    assert.equal(logLines.filter((l) => l.includes('internal_error')).length, 0);
    t.diagnostic(
      `total ${tally.requests} requests; statuses ${JSON.stringify(Object.fromEntries([...tally.statuses].sort((a, b) => a[0] - b[0])))}; ${logLines.length} log lines scanned`,
    );
  });
});
