// The reference server against a local stand-in of the Azure and OpenAI HTTP
// APIs: every provider and auth method, every route, every upstream fault,
// bad input, CORS, rate limiting — and a scan that no key ever appears in a
// response or a log line.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { pino } from 'pino';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { createApp } from '../../server/src/app.ts';
import { ConfigError, loadConfig, type ServerConfig } from '../../server/src/config.ts';
import { AZURE_SCOPE, createProvider } from '../../server/src/providers/index.ts';
import { ANSWER_SDP, UpstreamStandIn, type Fault } from './support/upstream-standin.ts';
import type { Payload } from '../support/payload.ts';

const AZURE_KEY = 'azure-secret-key-0123456789';
const OPENAI_KEY = 'sk-openai-secret-0123456789';
const ENTRA_TOKEN = 'entra-access-token-0123456789';
const OFFER = 'v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

const upstream = new UpstreamStandIn();
let upstreamBase = '';
const servers: Server[] = [];
/** Everything any response said (status line, headers, body) and every log line: scanned for keys at the end. */
const seen: string[] = [];
const logLines: string[] = [];

class FakeCredential implements TokenCredential {
  readonly scopes: string[][] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.scopes.push([scopes].flat());
    return { token: ENTRA_TOKEN, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

async function serve(
  env: Record<string, string>,
  overrides: Partial<ServerConfig> = {},
  credential?: TokenCredential,
): Promise<string> {
  const config = { ...loadConfig(env), ...overrides };
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) });
  const app = createApp(config, { provider: createProvider(config, { credential }), logger });
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function call(
  base: string,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<{ status: number; headers: Headers; body: Payload; text: string }> {
  const headers = new Headers(init.headers);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set('Content-Type', 'application/json');
    body = JSON.stringify(init.json);
  }
  const response = await fetch(`${base}${path}`, { method: 'POST', ...init, headers, body });
  const text = await response.text();
  seen.push(`${response.status} ${[...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n')}\n${text}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

before(async () => {
  upstreamBase = await upstream.start();
});
after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await upstream.stop();
});
beforeEach(() => upstream.reset());

describe('configuration', () => {
  test('a wrong or missing variable stops start-up with a message naming it', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /^PORT: PORT must be a whole number/],
      [{ PORT: '70000' }, /^PORT:/],
      [{ REALTIME_PROVIDER: 'azure' }, /^AZURE_OPENAI_ENDPOINT: required/],
      [{ REALTIME_PROVIDER: 'openai' }, /^OPENAI_API_KEY: required/],
      [{ REALTIME_PROVIDER: 'gemini' }, /^REALTIME_PROVIDER: REALTIME_PROVIDER must be emulator, azure or openai/],
      [{ AZURE_OPENAI_ENDPOINT: 'my-resource' }, /^AZURE_OPENAI_ENDPOINT: .*http\(s\) URL/],
      [{ ALLOWED_ORIGINS: 'https://ok.example, https://bad.example/path' }, /^ALLOWED_ORIGINS:/],
      [{ REALTIME_VOICE: 'robot' }, /^REALTIME_VOICE: REALTIME_VOICE must be one of/],
      [{ RATE_LIMIT_MAX: '0' }, /^RATE_LIMIT_MAX:/],
      [{ REDIS_URL: 'http://redis' }, /^REDIS_URL:/],
      [
        { HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' },
        /^HEADERS_TIMEOUT_MS: .*must not be longer than REQUEST_TIMEOUT_MS/,
      ],
      [{ REQUEST_TIMEOUT_MS: 'soon' }, /^REQUEST_TIMEOUT_MS: REQUEST_TIMEOUT_MS must be a whole number/],
      [
        { AZURE_OPENAI_ENDPOINT: 'https://my-foundry.services.ai.azure.com/api/projects/my-project' },
        /^AZURE_OPENAI_ENDPOINT: .*Foundry project URL.*https:\/\/my-foundry\.services\.ai\.azure\.com/,
      ],
      [
        { AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/openai/realtime?api-version=2025-04-01-preview' },
        /^AZURE_OPENAI_ENDPOINT: .*query/,
      ],
      [{ OPENAI_API_KEY: OPENAI_KEY, REALTIME_WEBRTC_FILTER: 'true' }, /^REALTIME_WEBRTC_FILTER: only Azure OpenAI/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: Error) => error instanceof ConfigError && message.test(error.message),
        JSON.stringify(env),
      );
    }
  });

  test('the provider follows the environment: azure with an endpoint, openai with a key, else the emulator', () => {
    assert.equal(loadConfig({}).provider, 'emulator');
    assert.equal(loadConfig({ OPENAI_API_KEY: OPENAI_KEY }).provider, 'openai');
    const azure = loadConfig({
      AZURE_OPENAI_ENDPOINT: 'https://res.openai.azure.com/',
      AZURE_OPENAI_DEPLOYMENT: 'my-rt',
    });
    assert.deepEqual(azure.azure, { endpoint: 'https://res.openai.azure.com', apiKey: undefined, deployment: 'my-rt' });
    assert.deepEqual(loadConfig({ ALLOWED_ORIGINS: 'https://a.example, https://b.example' }).allowedOrigins, [
      'https://a.example',
      'https://b.example',
    ]);
  });

  test('Azure endpoints as people paste them: the resource root with or without /openai/v1, on every Azure host', () => {
    const root = (endpoint: string) => loadConfig({ AZURE_OPENAI_ENDPOINT: endpoint }).azure!.endpoint;
    for (const host of ['res.openai.azure.com', 'res.cognitiveservices.azure.com', 'res.services.ai.azure.com']) {
      for (const path of ['', '/', '/openai', '/openai/', '/openai/v1', '/openai/v1/', '/OpenAI/V1//']) {
        assert.equal(root(`https://${host}${path}`), `https://${host}`, `${host}${path}`);
      }
    }
    assert.equal(root('http://127.0.0.1:8080/openai/v1/'), 'http://127.0.0.1:8080', 'any base URL, as tests use');
    assert.equal(
      root('http://127.0.0.1:8080/prefix'),
      'http://127.0.0.1:8080/prefix',
      'another path is kept (a gateway in front)',
    );
    // The emulator filters as Azure does; only OpenAI has no filter.
    assert.equal(loadConfig({ REALTIME_WEBRTC_FILTER: 'true' }).webrtcFilter, true);
  });
});

describe('providers and auth', () => {
  test('AZURE_OPENAI_ENDPOINT pasted with /openai/v1/: the calls still go to …/openai/v1/realtime/calls (was …/openai/v1/openai/v1/…, 404)', async () => {
    const base = await serve({ AZURE_OPENAI_ENDPOINT: `${upstreamBase}/openai/v1/`, AZURE_OPENAI_API_KEY: AZURE_KEY });
    const before = upstream.requests.length;
    const res = await call(base, '/connect', { headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
    assert.equal(res.status, 201, res.text);
    assert.deepEqual(
      upstream.requests.slice(before).map((r) => r.path),
      ['/openai/v1/realtime/client_secrets', '/openai/v1/realtime/calls'],
    );
  });

  test('Azure with an api-key: the GA client_secrets request, the key only in api-key, the calls URL under /openai/v1', async () => {
    const base = await serve(
      { AZURE_OPENAI_ENDPOINT: upstreamBase, AZURE_OPENAI_API_KEY: AZURE_KEY, AZURE_OPENAI_DEPLOYMENT: 'my-realtime' },
      { instructions: 'Server prompt.' },
    );
    const res = await call(base, '/token', { json: { voice: 'cedar' } });
    assert.equal(res.status, 200);
    assert.match(res.body.value, /^ek_standin_/);
    assert.equal(res.body.calls_url, `${upstreamBase}/openai/v1/realtime/calls`);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const [request] = upstream.requests;
    assert.equal(request!.path, '/openai/v1/realtime/client_secrets');
    assert.equal(request!.headers['api-key'], AZURE_KEY);
    assert.equal(request!.headers.authorization, undefined);
    assert.equal(request!.headers['openai-beta'], undefined);
    assert.deepEqual(JSON.parse(request!.body), {
      session: {
        type: 'realtime',
        model: 'my-realtime',
        instructions: 'Server prompt.',
        audio: { output: { voice: 'cedar' } },
      },
    });
  });

  test('Azure with Microsoft Entra ID: a bearer token for the Cognitive Services scope from the credential, cached', async () => {
    const credential = new FakeCredential();
    const base = await serve({ AZURE_OPENAI_ENDPOINT: upstreamBase }, {}, credential);
    assert.equal((await call(base, '/token', { json: {} })).status, 200);
    assert.equal((await call(base, '/token', { json: {} })).status, 200);
    for (const request of upstream.requests) {
      assert.equal(request.headers.authorization, `Bearer ${ENTRA_TOKEN}`);
      assert.equal(request.headers['api-key'], undefined);
    }
    assert.deepEqual(credential.scopes, [[AZURE_SCOPE]], 'one token, reused');
  });

  test('OpenAI: Bearer key, /v1 paths, model from configuration', async () => {
    const base = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      OPENAI_REALTIME_MODEL: 'gpt-realtime-mini',
    });
    const res = await call(base, '/token', { json: {} });
    assert.equal(res.status, 200);
    assert.equal(res.body.calls_url, `${upstreamBase}/v1/realtime/calls`);
    assert.equal(upstream.requests[0]!.path, '/v1/realtime/client_secrets');
    assert.equal(upstream.requests[0]!.headers.authorization, `Bearer ${OPENAI_KEY}`);
    assert.equal(JSON.parse(upstream.requests[0]!.body).session.model, 'gpt-realtime-mini');
  });

  test('/connect: mints a token server-side, posts the offer as SDP with it, answers 201 SDP with the call id', async () => {
    const base = await serve(
      { AZURE_OPENAI_ENDPOINT: upstreamBase, AZURE_OPENAI_API_KEY: AZURE_KEY },
      { webrtcFilter: true },
    );
    const res = await call(base, '/connect', { headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('content-type')!, /^application\/sdp/);
    assert.equal(res.text, ANSWER_SDP);
    assert.match(res.headers.get('location')!, /\/rtc_standin\d+$/);
    const [secrets, calls] = upstream.requests;
    assert.equal(secrets!.path, '/openai/v1/realtime/client_secrets');
    assert.equal(calls!.path, '/openai/v1/realtime/calls?webrtcfilter=on');
    assert.match(String(calls!.headers.authorization), /^Bearer ek_standin_\d+$/);
    assert.equal(calls!.headers['api-key'], undefined, 'the resource key never goes with the offer');
    assert.equal(calls!.headers['content-type'], 'application/sdp');
    assert.equal(calls!.body, OFFER);

    const json = await call(base, '/connect', { json: { sdp: OFFER, voice: 'sage', instructions: 'From the page.' } });
    assert.equal(json.status, 201);
    assert.deepEqual(JSON.parse(upstream.requests[2]!.body).session.audio, { output: { voice: 'sage' } });
  });

  test("/connect takes the offer as Microsoft's sample posts it: FormData with an sdp field (fetch sets the boundary)", async () => {
    const base = await serve({ AZURE_OPENAI_ENDPOINT: upstreamBase, AZURE_OPENAI_API_KEY: AZURE_KEY });
    // As the article's browser code writes it: no Content-Type header, the browser adds multipart/form-data.
    const formData = new FormData();
    formData.append('sdp', OFFER);
    const res = await call(base, '/connect', { body: formData });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.text, ANSWER_SDP);
    assert.equal(upstream.requests.at(-1)!.body, OFFER, 'the offer goes upstream byte for byte (CRLF kept)');

    const withVoice = new FormData();
    withVoice.append('sdp', OFFER);
    withVoice.append('voice', 'coral');
    assert.equal((await call(base, '/connect', { body: withVoice })).status, 201);
    assert.deepEqual(JSON.parse(upstream.requests.at(-2)!.body).session.audio, { output: { voice: 'coral' } });
  });

  test('/connect form posts are bounded: no files, only the named fields, once each, a size cap', async () => {
    const base = await serve({
      AZURE_OPENAI_ENDPOINT: upstreamBase,
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      RATE_LIMIT_MAX: '1000',
    });
    const form = (entries: Array<[string, string | Blob]>) => {
      const data = new FormData();
      for (const [name, value] of entries) data.append(name, value);
      return data;
    };
    const before = upstream.requests.length;
    const cases: Array<[FormData | string, Record<string, string>, number, string]> = [
      [form([['voice', 'alloy']]), {}, 400, 'invalid_sdp'],
      [form([['sdp', 'not sdp']]), {}, 400, 'invalid_offer'],
      [form([['sdp', new Blob([OFFER], { type: 'application/sdp' })]]), {}, 400, 'unsupported_form_part'],
      [
        form([
          ['sdp', OFFER],
          ['model', 'gpt-4o'],
        ]),
        {},
        400,
        'unknown_field',
      ],
      [
        form([
          ['sdp', OFFER],
          ['sdp', OFFER],
        ]),
        {},
        400,
        'duplicate_field',
      ],
      [
        form([
          ['sdp', OFFER],
          ['voice', 'robot'],
        ]),
        {},
        400,
        'invalid_voice',
      ],
      [form([['sdp', OFFER + 'a=x\r\n'.repeat(20_000)]]), {}, 413, 'payload_too_large'],
      [
        '--x\r\nContent-Disposition: form-data; name="sdp"\r\n\r\nv=0',
        { 'Content-Type': 'multipart/form-data' },
        400,
        'invalid_form',
      ],
      ['garbage without any boundary', { 'Content-Type': 'multipart/form-data; boundary=zzz' }, 400, 'invalid_form'],
    ];
    for (const [body, headers, status, code] of cases) {
      const res = await call(base, '/connect', { body, headers });
      assert.deepEqual(
        [res.status, res.body.error?.code],
        [status, code],
        typeof body === 'string' ? body.slice(0, 40) : [...body.keys()].join(','),
      );
    }
    assert.equal(upstream.requests.length, before, 'no refused form reached the provider');
  });
});

describe("upstream faults become operator-readable errors, never the browser's own 401", () => {
  let base = '';
  before(async () => {
    base = await serve({
      AZURE_OPENAI_ENDPOINT: upstreamBase,
      AZURE_OPENAI_API_KEY: AZURE_KEY,
      UPSTREAM_TIMEOUT_MS: '400',
      RATE_LIMIT_MAX: '1000',
    });
  });

  const cases: Array<[string, Fault, number, string, RegExp, string?]> = [
    ['401', { kind: 'status', status: 401 }, 502, 'upstream_unauthorized', /API key.*Cognitive Services User/],
    ['403', { kind: 'status', status: 403 }, 502, 'upstream_forbidden', /region/],
    ['404', { kind: 'status', status: 404, code: 'DeploymentNotFound' }, 502, 'upstream_not_found', /deployment name/],
    ['429', { kind: 'status', status: 429, retryAfter: '7' }, 429, 'upstream_rate_limited', /quota/, '7'],
    ['400', { kind: 'status', status: 400, code: 'OperationNotSupported' }, 502, 'upstream_rejected', /400/],
    ['500', { kind: 'status', status: 500 }, 502, 'upstream_error', /500/],
    ['503', { kind: 'status', status: 503, retryAfter: '3' }, 503, 'upstream_unavailable', /unavailable/, '3'],
    ['a hang', { kind: 'hang' }, 504, 'upstream_timeout', /did not answer within 0.4 s/],
    ['a reset connection', { kind: 'reset' }, 502, 'upstream_unreachable', /could not be reached/],
    ['an HTML page', { kind: 'html', status: 502 }, 502, 'upstream_error', /502/],
    ['malformed JSON', { kind: 'malformed' }, 502, 'upstream_bad_response', /unreadable|failed: .*JSON/],
    ['a truncated body', { kind: 'truncated' }, 502, 'upstream_bad_response', /realtime service/],
    // Regression: a gateway that echoes the credential in its error body had it relayed to the browser and the log.
    [
      '401 echoing the key',
      {
        kind: 'status',
        status: 401,
        message: `Access denied: api-key ${AZURE_KEY} is not valid (Authorization: Bearer ${AZURE_KEY})`,
      },
      502,
      'upstream_unauthorized',
      /api-key \[redacted\] is not valid/,
    ],
    [
      '200 without a token',
      { kind: 'raw', status: 200, contentType: 'application/json', body: '{}' },
      502,
      'upstream_bad_response',
      /without a token/,
    ],
  ];
  for (const [name, fault, status, code, message, retryAfter] of cases) {
    test(`client_secrets answering ${name} → ${status} ${code}`, async () => {
      upstream.faults.secrets = fault;
      const res = await call(base, '/token', { json: {} });
      assert.equal(res.status, status);
      assert.equal(res.body.error.code, code);
      assert.match(res.body.error.message, message);
      if (retryAfter) assert.equal(res.headers.get('retry-after'), retryAfter);
    });
  }

  test('calls answering 401 / a hang through /connect → 502 / 504', async () => {
    upstream.faults.calls = { kind: 'status', status: 401 };
    assert.equal(
      (await call(base, '/connect', { headers: { 'Content-Type': 'application/sdp' }, body: OFFER })).body.error.code,
      'upstream_unauthorized',
    );
    upstream.faults.calls = { kind: 'hang' };
    const hung = await call(base, '/connect', { headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
    assert.deepEqual([hung.status, hung.body.error.code], [504, 'upstream_timeout']);
  });

  test('a redirect is not followed: the key never reaches the address it points to (regression: fetch carried api-key there)', async () => {
    const elsewhere: Array<IncomingMessage['headers']> = [];
    const thief = createServer((req, res) => {
      elsewhere.push(req.headers);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":"ek_thief","expires_at":1}');
    });
    servers.push(thief);
    await new Promise<void>((resolve) => thief.listen(0, '127.0.0.1', resolve));
    // localhost, not 127.0.0.1: another origin, where fetch would drop Authorization but keep api-key.
    const location = `http://localhost:${(thief.address() as AddressInfo).port}/openai/v1/realtime/client_secrets`;
    for (const status of [301, 302, 303, 307, 308]) {
      upstream.faults.secrets = { kind: 'redirect', status, location };
      const res = await call(base, '/token', { json: {} });
      assert.deepEqual([res.status, res.body.error.code], [502, 'upstream_redirected'], `client_secrets ${status}`);
    }
    upstream.faults.calls = { kind: 'redirect', location };
    const connect = await call(base, '/connect', { headers: { 'Content-Type': 'application/sdp' }, body: OFFER });
    assert.deepEqual([connect.status, connect.body.error.code], [502, 'upstream_redirected']);
    assert.deepEqual(elsewhere, [], 'nothing at all reached the redirect target');
  });

  test('an endpoint nobody listens on → 502 upstream_unreachable', async () => {
    const down = await serve({ AZURE_OPENAI_ENDPOINT: 'http://127.0.0.1:9', AZURE_OPENAI_API_KEY: AZURE_KEY });
    const res = await call(down, '/token', { json: {} });
    assert.deepEqual([res.status, res.body.error.code], [502, 'upstream_unreachable']);
  });
});

describe('bad input, policy, CORS, limits', () => {
  let base = '';
  before(async () => {
    base = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      ALLOWED_ORIGINS: 'https://shop.example',
      RATE_LIMIT_MAX: '1000',
    });
  });

  test('bad bodies get 4xx JSON errors, and reach no upstream', async () => {
    const cases: Array<[RequestInit & { json?: unknown }, string, number, string]> = [
      [{ headers: { 'Content-Type': 'application/json' }, body: '{nope' }, '/token', 400, 'invalid_json'],
      [{ headers: { 'Content-Type': 'text/plain' }, body: 'hi' }, '/token', 415, 'unsupported_media_type'],
      [{ json: { instructions: 'x'.repeat(20_000) } }, '/token', 413, 'payload_too_large'],
      [{ json: { voice: 'robot' } }, '/token', 400, 'invalid_voice'],
      [{ json: { voice: 'alloy\r\nX-Injected: 1' } }, '/token', 400, 'invalid_voice'],
      [{ json: { instructions: 'y'.repeat(4001) } }, '/token', 400, 'instructions_too_long'],
      [{ json: { instructions: 42 } }, '/token', 400, 'invalid_instructions'],
      [{ json: JSON.parse('{"__proto__": {"admin": true}}') }, '/token', 400, 'unknown_field'],
      [{ json: { model: 'gpt-4o' } }, '/token', 400, 'unknown_field'],
      [{ json: [1, 2] }, '/token', 400, 'invalid_body'],
      [{ headers: { 'Content-Type': 'application/sdp' }, body: 'not sdp' }, '/connect', 400, 'invalid_offer'],
      [{ json: { voice: 'alloy' } }, '/connect', 400, 'invalid_sdp'],
      [
        { headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'sdp=v%3D0' },
        '/connect',
        415,
        'unsupported_media_type',
      ],
      // Regression: body-parser's own refusals used to fall through to 500 internal_error.
      [
        { headers: { 'Content-Type': 'application/sdp; charset=x-no-such-charset' }, body: OFFER },
        '/connect',
        415,
        'unsupported_charset',
      ],
      [
        { headers: { 'Content-Type': 'application/json; charset=latin1' }, body: '{}' },
        '/token',
        415,
        'unsupported_charset',
      ],
      // Found by the fuzzer: one byte declared UTF-16 decoded to an empty body, and a token was minted.
      [
        { headers: { 'Content-Type': 'application/json; charset=utf-16le' }, body: Buffer.from([0x80]) },
        '/token',
        415,
        'unsupported_charset',
      ],
      [
        { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'compress' }, body: '{}' },
        '/token',
        415,
        'unsupported_content_encoding',
      ],
      [
        { headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }, body: 'not gzip at all' },
        '/token',
        400,
        'unreadable_body',
      ],
      [{ method: 'GET' }, '/token', 405, 'method_not_allowed'],
      [{ method: 'DELETE' }, '/healthz', 405, 'method_not_allowed'],
    ];
    for (const [init, path, status, code] of cases) {
      const res = await call(base, path, init);
      assert.deepEqual(
        [res.status, res.body.error?.code],
        [status, code],
        `${path} ${String(init.body ?? JSON.stringify(init.json)).slice(0, 60)}`,
      );
      assert.doesNotMatch(res.text, /\n\s+at |Error:/, 'no stack trace');
    }
    assert.equal(upstream.requests.length, 0);
    const quotedUtf8 = await call(base, '/token', {
      headers: { 'Content-Type': 'application/json; charset="UTF-8"' },
      body: '{}',
    });
    assert.equal(quotedUtf8.status, 200, 'UTF-8 however spelled is taken');
    const missing = await call(base, '/nowhere', { json: {} });
    assert.equal(missing.status, 404);
  });

  test("instructions policy: accept (default), append to the server's, or ignore", async () => {
    const append = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      REALTIME_INSTRUCTIONS: 'Server rules.',
      REALTIME_BROWSER_INSTRUCTIONS: 'append',
    });
    const ignore = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      REALTIME_INSTRUCTIONS: 'Server rules.',
      REALTIME_BROWSER_INSTRUCTIONS: 'ignore',
    });
    await call(base, '/token', { json: { instructions: 'Page asks.' } });
    await call(append, '/token', { json: { instructions: 'Page asks.' } });
    await call(ignore, '/token', { json: { instructions: 'Page asks.' } });
    assert.deepEqual(
      upstream.requests.map((r) => JSON.parse(r.body).session.instructions),
      ['Page asks.', 'Server rules.\n\nPage asks.', 'Server rules.'],
    );
  });

  test("CORS: only ALLOWED_ORIGINS (and the server's own origin) may call from a browser", async () => {
    const preflight = await fetch(`${base}/token`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://shop.example');
    const allowed = await call(base, '/token', { json: {}, headers: { Origin: 'https://shop.example' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://shop.example');
    const denied = await call(base, '/token', { json: {}, headers: { Origin: 'https://evil.example' } });
    assert.deepEqual([denied.status, denied.body.error.code], [403, 'origin_not_allowed']);
    assert.equal(denied.headers.get('access-control-allow-origin'), null);
    const deniedPreflight = await fetch(`${base}/connect`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example' },
    });
    assert.equal(deniedPreflight.status, 403);
    assert.equal(upstream.requests.length, 1, 'only the allowed call reached upstream');
  });

  test('security headers on every API answer', async () => {
    const res = await call(base, '/token', { json: {} });
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('content-security-policy'));
    assert.equal(res.headers.get('x-powered-by'), null);
    assert.match(res.headers.get('x-request-id')!, /^[\w-]+$/);
  });

  test('rate limit per client on /token and /connect: 429 JSON with Retry-After', async () => {
    const limited = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      RATE_LIMIT_MAX: '3',
      RATE_LIMIT_WINDOW_MS: '60000',
    });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (
          await call(
            limited,
            i % 2 ? '/connect' : '/token',
            i % 2 ? { headers: { 'Content-Type': 'application/sdp' }, body: OFFER } : { json: {} },
          )
        ).status,
      );
    const over = await call(limited, '/token', { json: {} });
    assert.deepEqual(statuses, [200, 201, 200]);
    assert.equal(over.status, 429);
    assert.equal(over.body.error.code, 'rate_limited');
    assert.ok(Number(over.headers.get('retry-after')) > 0);
    assert.equal((await call(limited, '/healthz', { method: 'GET' })).status, 200, 'health checks are not limited');
  });

  test('a client cannot walk past the limit by inventing X-Forwarded-For addresses (TRUST_PROXY unset)', async () => {
    const limited = await serve({
      OPENAI_API_KEY: OPENAI_KEY,
      OPENAI_BASE_URL: `${upstreamBase}/v1`,
      RATE_LIMIT_MAX: '2',
    });
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push(
        (
          await call(limited, '/token', {
            json: {},
            headers: { 'X-Forwarded-For': `203.0.113.${i}`, 'X-Real-IP': `198.51.100.${i}` },
          })
        ).status,
      );
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });
});

describe('secrets', () => {
  test('no key or Entra token appears in any response or log line of these tests', (t) => {
    assert.ok(seen.length > 40, `scanned ${seen.length} responses`);
    assert.ok(logLines.length > 40, `scanned ${logLines.length} log lines`);
    for (const secret of [AZURE_KEY, OPENAI_KEY, ENTRA_TOKEN]) {
      assert.equal(seen.filter((text) => text.includes(secret)).length, 0, `${secret.slice(0, 8)}… in a response`);
      assert.equal(logLines.filter((line) => line.includes(secret)).length, 0, `${secret.slice(0, 8)}… in a log line`);
    }
    const line = JSON.parse(logLines.find((l) => l.includes('"msg":"request"'))!);
    assert.ok(line.reqId && line.method && line.path && line.status, 'structured request lines with a request id');
    t.diagnostic(`scanned ${seen.length} responses and ${logLines.length} log lines`);
  });
});
