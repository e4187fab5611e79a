/**
 * The reference server in its own process for the throughput runs, in front
 * of the stand-in (UPSTREAM_BASE). Answers `rss` over IPC with its resident
 * memory, the heap used and reserved (heapTotal) and external memory after a
 * full garbage collection (run with --expose-gc).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { pino } from 'pino';
import { createApp } from '../../server/src/app.ts';
import { loadConfig } from '../../server/src/config.ts';
import { createProvider } from '../../server/src/providers/index.ts';

/**
 * BENCH_AUTH=jwt: AUTH_MODE=jwt against an identity provider's keys on loopback (RS256, as Entra ID
 * and most providers sign), and one sign-in token for the load run (verified on every request).
 */
async function jwtAuth(): Promise<{ env: Record<string, string>; token: string }> {
  const keys = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const jwks = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const issuer = 'https://idp.bench.test/';
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setIssuer(issuer)
    .setAudience('bench')
    .setSubject('bench-user')
    .setExpirationTime('1h')
    .sign(keys.privateKey);
  const env = {
    AUTH_MODE: 'jwt',
    AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: 'bench',
  };
  return { env, token };
}

const auth = process.env.BENCH_AUTH === 'jwt' ? await jwtAuth() : { env: { AUTH_MODE: 'none' }, token: undefined };
const config = loadConfig({
  OPENAI_API_KEY: 'sk-bench',
  OPENAI_BASE_URL: `${process.env.UPSTREAM_BASE}/v1`,
  RATE_LIMIT_MAX: '10000000',
  ...auth.env,
});
const app = createApp(config, { provider: createProvider(config), logger: pino({ level: 'silent' }) });
const http = createServer(app);
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
process.send!({ base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, token: auth.token });
process.on('message', (message) => {
  if (message === 'exit') process.exit(0); // a clean exit, so --cpu-prof can write its profile
  if (message !== 'rss') return;
  globalThis.gc?.();
  const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
  process.send!({ rss, heapUsed, heapTotal, external });
});
process.on('disconnect', () => process.exit(0));
