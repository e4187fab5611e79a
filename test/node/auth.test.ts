// AUTH_MODE tested as an attacker would: a script outside a browser, forging Origin, replaying,
// and every JWT trick that has fooled a verifier (expired, not yet valid, wrong audience or issuer,
// alg none, HS256 signed with the public key). Real HTTP servers: the reference server, a JWKS
// server on loopback, a stand-in of OpenAI's HTTP API, and (for two instances) a real redis-server.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { pino } from 'pino';
import { createApp, type AppDeps } from '../../server/src/app.ts';
import { loadConfig, ConfigError } from '../../server/src/config.ts';
import { createProvider } from '../../server/src/providers/index.ts';
import { redisReplayStore } from '../../server/src/auth/replay-store.ts';
import { issueTicket } from '../../server/src/auth/ticket.ts';
import { UpstreamStandIn } from './support/upstream-standin.ts';
import type { Payload } from '../support/payload.ts';

const ISSUER = 'https://login.example.test/';
const AUDIENCE = 'realtime-voice-test';
const SECRET = 'ticket-secret-0123456789-0123456789-abcdef';
const upstream = new UpstreamStandIn();
const servers: Server[] = [];
const logLines: string[] = [];
let upstreamBase = '';
let jwksUrl = '';
let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let publicJwk: JWK;
let jwksFetches = 0;

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function serve(env: Record<string, string>, deps: Partial<AppDeps> = {}): Promise<string> {
  const config = loadConfig({
    OPENAI_API_KEY: 'sk-upstream-key',
    OPENAI_BASE_URL: `${upstreamBase}/v1`,
    ALLOWED_ORIGINS: 'https://shop.example',
    ...env,
  });
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  return listen(createServer(createApp(config, { provider: createProvider(config), logger, ...deps })));
}

const jwtEnv = () => ({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });

function token(claims: Record<string, unknown> = {}, set: (jwt: SignJWT) => SignJWT = (j) => j): Promise<string> {
  const jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('5m');
  return set(jwt).sign(keys.privateKey);
}

/** POST /token as a script would: whatever headers it likes, no browser rules. */
async function mint(base: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: '{}',
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Payload };
}

before(async () => {
  upstreamBase = await upstream.start();
  keys = await generateKeyPair('RS256');
  publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwksUrl = `${await listen(
    createServer((_req, res) => {
      jwksFetches++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    }),
  )}/jwks.json`;
});
after(async () => {
  await upstream.stop();
  for (const server of servers) server.close();
});

describe('AUTH_MODE=jwt', () => {
  test('a valid sign-in token mints; the keys are fetched once and cached', async () => {
    const base = await serve(jwtEnv());
    const before = jwksFetches;
    for (let i = 0; i < 3; i++)
      assert.equal((await mint(base, { Authorization: `Bearer ${await token()}` })).status, 200);
    assert.equal(jwksFetches - before, 1, 'one JWKS fetch for three tokens');
  });

  test('a script with a forged Origin and no credentials is refused with 401 and a Bearer challenge', async () => {
    const base = await serve(jwtEnv());
    const reached = upstream.requests.length;
    const refused = await mint(base, { Origin: 'https://shop.example' });
    assert.equal(refused.status, 401);
    assert.equal(refused.body.error.code, 'missing_credentials');
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="realtime-voice"');
    assert.equal(upstream.requests.length, reached, 'nothing reached the service');
  });

  test('every forged or stale token is refused with a code only; why goes to the log', async () => {
    const base = await serve(jwtEnv());
    const reached = upstream.requests.length;
    const now = Math.floor(Date.now() / 1000);
    const other = await generateKeyPair('RS256');
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const claims = { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: now + 300 };
    const pem = await exportSPKI(keys.publicKey);
    const hsPart = `${b64({ alg: 'HS256', kid: 'k1' })}.${b64(claims)}`;
    const cases: Array<[string, string, string]> = [
      ['expired', await token({}, (j) => j.setExpirationTime(now - 60)), 'token_expired'],
      ['not yet valid', await token({}, (j) => j.setNotBefore(now + 600)), 'invalid_token'],
      ['wrong audience', await token({}, (j) => j.setAudience('another-service')), 'invalid_token'],
      ['wrong issuer', await token({}, (j) => j.setIssuer('https://evil.example/')), 'invalid_token'],
      ['alg none', `${b64({ alg: 'none' })}.${b64(claims)}.`, 'invalid_token'],
      [
        'HS256 with the public key as secret',
        `${hsPart}.${createHmac('sha256', pem).update(hsPart).digest('base64url')}`,
        'invalid_token',
      ],
      [
        'HS256 with the JWK modulus as secret',
        `${hsPart}.${createHmac('sha256', publicJwk.n!).update(hsPart).digest('base64url')}`,
        'invalid_token',
      ],
      [
        'signed by another key',
        await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(other.privateKey),
        'invalid_token',
      ],
      [
        'no expiry',
        await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'x' })
          .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
          .sign(keys.privateKey),
        'invalid_token',
      ],
      ['garbage', 'not-a-jwt', 'invalid_token'],
    ];
    for (const [what, jwt, code] of cases) {
      const refused = await mint(base, { Authorization: `Bearer ${jwt}` });
      assert.equal(refused.status, 401, what);
      assert.equal(refused.body.error.code, code, what);
      assert.match(refused.headers.get('www-authenticate')!, /error="invalid_token"/, what);
      assert.doesNotMatch(JSON.stringify(refused.body), /aud|iss|signature|alg|claim/i, `${what}: nothing about why`);
    }
    assert.equal(upstream.requests.length, reached, 'nothing reached the service');
    assert.ok(
      logLines.some(
        (line) => line.includes('sign-in token refused') && line.includes('ERR_JWT_CLAIM_VALIDATION_FAILED'),
      ),
      'the reason is logged',
    );
    assert.ok(!logLines.some((line) => line.includes(cases[0]![1])), 'the token itself is never logged');
  });

  test('AUTH_USER_CLAIM names the user id; a token without it is refused', async () => {
    const identified: string[] = [];
    const base = await serve({ ...jwtEnv(), AUTH_USER_CLAIM: 'email' }, {});
    assert.equal(
      (await mint(base, { Authorization: `Bearer ${await token({ email: 'alice@example.com' })}` })).status,
      200,
    );
    assert.equal((await mint(base, { Authorization: `Bearer ${await token()}` })).body.error.code, 'invalid_token');
    void identified;
  });

  test("keys that cannot be fetched are 503 auth_unavailable, not the user's fault", async () => {
    const base = await serve({ ...jwtEnv(), AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json' });
    const refused = await mint(base, { Authorization: `Bearer ${await token()}` });
    assert.equal(refused.status, 503);
    assert.equal(refused.body.error.code, 'auth_unavailable');
  });

  test('configuration: JWKS over plain http only on loopback; the jwt settings are required', () => {
    assert.throws(
      () => loadConfig({ ...jwtEnv(), AUTH_JWKS_URL: 'http://login.example.com/jwks' }),
      (e: Error) => e instanceof ConfigError && /AUTH_JWKS_URL.*https/.test(e.message),
    );
    assert.doesNotThrow(() => loadConfig({ ...jwtEnv(), AUTH_JWKS_URL: 'http://localhost:8080/jwks' }));
    assert.throws(
      () => loadConfig({ AUTH_MODE: 'jwt', AUTH_JWKS_URL: jwksUrl }),
      /AUTH_ISSUER: required when AUTH_MODE=jwt/,
    );
    assert.throws(() => loadConfig({ AUTH_MODE: 'ticket' }), /AUTH_TICKET_SECRET: required/);
    assert.throws(
      () => loadConfig({ AUTH_MODE: 'ticket', AUTH_TICKET_SECRET: 'short' }),
      /AUTH_TICKET_SECRET must be at least 32/,
    );
    assert.throws(() => loadConfig({ AUTH_MODE: 'open' }), /AUTH_MODE must be none, jwt or ticket/);
  });
});

describe('AUTH_MODE=ticket', () => {
  const env = { AUTH_MODE: 'ticket', AUTH_TICKET_SECRET: SECRET };

  test('a ticket opens one call; the same ticket replayed is refused', async () => {
    const base = await serve(env);
    const ticket = issueTicket({ userId: 'alice', secret: SECRET });
    assert.equal((await mint(base, { Authorization: `Bearer ${ticket}` })).status, 200);
    const replay = await mint(base, { Authorization: `Bearer ${ticket}` });
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error.code, 'ticket_used');
  });

  test('forged, tampered, expired and foreign-secret tickets, and none at all, are refused', async () => {
    const base = await serve(env);
    const good = issueTicket({ userId: 'alice', secret: SECRET });
    const [prefix, payload, signature] = good.split('.');
    const tampered = `${prefix}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${signature}`;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['no credentials, forged Origin', { Origin: 'https://shop.example' }, 'missing_credentials'],
      ['tampered user', { Authorization: `Bearer ${tampered}` }, 'invalid_token'],
      [
        'another secret',
        { Authorization: `Bearer ${issueTicket({ userId: 'alice', secret: 'x'.repeat(40) })}` },
        'invalid_token',
      ],
      [
        'expired',
        { Authorization: `Bearer ${issueTicket({ userId: 'alice', secret: SECRET, now: Date.now() - 120_000 })}` },
        'token_expired',
      ],
      ['a JWT', { Authorization: `Bearer ${await token()}` }, 'invalid_token'],
      ['another scheme', { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }, 'invalid_token'],
    ];
    for (const [what, headers, code] of cases) {
      const refused = await mint(base, headers);
      assert.equal(refused.status, 401, what);
      assert.equal(refused.body.error.code, code, what);
      assert.ok(refused.headers.get('www-authenticate')?.startsWith('Bearer realm="realtime-voice"'), what);
    }
  });

  test(
    'a ticket used on one instance is refused on another sharing a real redis-server',
    { timeout: 20_000 },
    async (t) => {
      const redis = await startRedis();
      if (!redis) return t.skip('redis-server is not installed');
      try {
        const [one, two] = [await redisReplayStore(redis.url), await redisReplayStore(redis.url)];
        const a = await serve(env, { ticketReplays: one });
        const b = await serve(env, { ticketReplays: two });
        const ticket = issueTicket({ userId: 'alice', secret: SECRET });
        assert.equal((await mint(a, { Authorization: `Bearer ${ticket}` })).status, 200);
        assert.equal((await mint(b, { Authorization: `Bearer ${ticket}` })).body.error.code, 'ticket_used');
        // Redis gone: a ticket cannot be checked for replay, so it is refused at once, not let through.
        redis.stop();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = Date.now();
        const down = await mint(a, { Authorization: `Bearer ${issueTicket({ userId: 'alice', secret: SECRET })}` });
        assert.equal(down.status, 503);
        assert.equal(down.body.error.code, 'auth_unavailable');
        assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
        await Promise.all([one.close(), two.close()]).catch(() => {});
      } finally {
        redis.stop();
      }
    },
  );
});

describe('authorize, CORS with credentials, and npm run server', () => {
  test('createApp(config, { authorize }) decides: a user id passes, false is 403 forbidden', async () => {
    const base = await serve(
      { AUTH_MODE: 'none' },
      { authorize: (req) => (req.get('cookie') === 'session=ok' ? { userId: 'u1' } : false) },
    );
    assert.equal((await mint(base, { Cookie: 'session=ok' })).status, 200);
    const refused = await mint(base, { Cookie: 'session=stolen' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'forbidden');
  });

  test('credentialed CORS only for ALLOWED_ORIGINS; the preflight allows Authorization', async () => {
    const base = await serve(jwtEnv());
    const preflight = await fetch(`${base}/token`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://shop.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    assert.match(preflight.headers.get('access-control-allow-headers')!, /Authorization/);
    const own = await fetch(`${base}/token`, {
      method: 'OPTIONS',
      headers: { Origin: base, 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(
      own.headers.get('access-control-allow-credentials'),
      null,
      "not for the server's own origin, which needs none",
    );
    const foreign = await mint(base, { Origin: 'https://evil.example', Authorization: `Bearer ${await token()}` });
    assert.equal(foreign.status, 403);
    assert.equal(foreign.headers.get('access-control-allow-credentials'), null);
  });

  test(
    'npm run server refuses to start without AUTH_MODE, saying what each mode protects',
    { timeout: 30_000 },
    async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/index.ts'], {
        env: { ...process.env, AUTH_MODE: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 1);
      assert.match(stderr, /Configuration error: AUTH_MODE: required/);
      for (const mode of ['AUTH_MODE=jwt', 'AUTH_MODE=ticket', 'AUTH_MODE=none'])
        assert.ok(stderr.includes(mode), mode);
    },
  );
});

async function startRedis(): Promise<{ url: string; stop: () => void } | undefined> {
  const free = createTcpServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const port = (free.address() as AddressInfo).port;
  await new Promise<void>((resolve) => free.close(() => resolve()));
  let child: ChildProcess;
  try {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
  } catch {
    return undefined;
  }
  const failed = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(true));
    setTimeout(() => resolve(false), 300);
  });
  if (failed) return undefined;
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill() };
}
