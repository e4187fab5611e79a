// The provider's POST (server/src/providers/upstream-post.ts, undici's request()), which replaced
// fetch(): the answers fetch gave (decoded, UTF-8 without a BOM, redirects not followed) and where a
// failure happened, with connections kept alive between requests.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { PostError, postText } from '../../server/src/providers/upstream-post.ts';

const seen: Array<{ headers: IncomingMessage['headers']; body: string; socketPort: number }> = [];
let server: Server;
let base = '';

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  seen.push({ headers: req.headers, body, socketPort: req.socket.remotePort ?? 0 });
  const json = '{"value":"ek_1","note":"é"}';
  switch (req.url) {
    case '/gzip':
      return void res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync(json));
    case '/deflate':
      return void res.writeHead(200, { 'Content-Encoding': 'deflate' }).end(deflateSync(json));
    case '/br':
      return void res.writeHead(200, { 'Content-Encoding': 'br' }).end(brotliCompressSync(json));
    case '/gzip-error':
      return void res.writeHead(429, { 'Content-Encoding': 'gzip' }).end(gzipSync('{"error":{"message":"slow down"}}'));
    case '/gzip-br':
      return void res.writeHead(200, { 'Content-Encoding': 'gzip, br' }).end(brotliCompressSync(gzipSync(json)));
    case '/unknown-coding':
      return void res.writeHead(200, { 'Content-Encoding': 'x-custom' }).end(json);
    case '/bom':
      return void res.writeHead(200).end(`\uFEFF${json}`);
    case '/redirect':
      return void res.writeHead(307, { Location: 'http://localhost:9/elsewhere' }).end('moved');
    case '/truncated':
      res.writeHead(200, { 'Content-Length': '500' }).write('{"value": "ek_');
      return void setTimeout(() => req.socket.destroy(), 20);
    case '/reset':
      return void req.socket.destroy();
    case '/hang':
      return;
    default:
      return void res.writeHead(201, { Location: '/v1/realtime/calls/rtc_1', 'Retry-After': '3' }).end(json);
  }
}

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handle(req, res, body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const post = (path: string, signal = new AbortController().signal) =>
  postText(new URL(`${base}${path}`), { 'Content-Type': 'application/json', 'api-key': 'k' }, '{"é":1}', signal);

describe('postText', () => {
  test('the status, headers and text of the answer; the body sent with its length and headers', async () => {
    const answer = await post('/ok');
    assert.equal(answer.status, 201);
    assert.equal(answer.headers.location, '/v1/realtime/calls/rtc_1');
    assert.equal(answer.headers['retry-after'], '3');
    assert.equal(answer.text, '{"value":"ek_1","note":"é"}');
    const request = seen.at(-1)!;
    assert.equal(request.body, '{"é":1}');
    assert.equal(request.headers['content-length'], String(Buffer.byteLength('{"é":1}')));
    assert.equal(request.headers['api-key'], 'k');
    assert.equal(request.headers['accept-encoding'], 'gzip, deflate', 'what fetch asked for over http');
  });

  test('a compressed answer (gzip, deflate, br) is decoded, as fetch did', async () => {
    for (const path of ['/gzip', '/deflate', '/br'])
      assert.equal((await post(path)).text, '{"value":"ek_1","note":"é"}', path);
  });

  test('an error answer is decoded too (the service’s message is read from it), as fetch did', async () => {
    const answer = await post('/gzip-error');
    assert.deepEqual([answer.status, answer.text], [429, '{"error":{"message":"slow down"}}']);
  });

  test('codings in a chain are undone last first; with one it does not know, the bytes stay as they came (as fetch)', async () => {
    assert.equal((await post('/gzip-br')).text, '{"value":"ek_1","note":"é"}');
    assert.equal((await post('/unknown-coding')).text, '{"value":"ek_1","note":"é"}');
  });

  test('a UTF-8 BOM is dropped, as fetch’s text() did', async () => {
    assert.equal((await post('/bom')).text, '{"value":"ek_1","note":"é"}');
  });

  test('a redirect is answered as such, not followed, its body unread', async () => {
    const before = seen.length;
    const answer = await post('/redirect');
    assert.deepEqual([answer.status, answer.text], [307, '']);
    assert.equal(seen.length, before + 1, 'one request, none to where it pointed');
  });

  test('a failure before the answer is `connect`, a body cut short is `body`', async () => {
    await assert.rejects(post('/reset'), (error: unknown) => error instanceof PostError && error.phase === 'connect');
    await assert.rejects(post('/truncated'), (error: unknown) => error instanceof PostError && error.phase === 'body');
    await assert.rejects(
      postText(new URL('http://127.0.0.1:9/'), {}, '', new AbortController().signal),
      (error: unknown) => error instanceof PostError && error.phase === 'connect',
    );
  });

  test('the signal aborts a request that gets no answer', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(post('/hang', controller.signal), PostError);
  });

  test('connections are kept alive: requests one after another reuse the ones open', async () => {
    // undici's pool takes a connection back a microtask after its answer ends, so a request sent the
    // moment the last one resolved goes over the pool's other idle one: two connections, taken in turn.
    for (let i = 0; i < 8; i++) await post('/ok');
    const ports = new Set(seen.slice(-8).map((s) => s.socketPort));
    assert.ok(ports.size <= 2, `8 requests over ${ports.size} connections`);
  });
});
