/**
 * A local stand-in of the Azure OpenAI and OpenAI HTTP APIs, on loopback,
 * for the reference server's tests: it records every request (headers and
 * bodies, to check what the server sends and that no key leaks elsewhere)
 * and answers what each test asks: success, any status with the service's
 * JSON error, a hang, a reset connection, HTML or malformed JSON, a
 * redirect, a truncated body, or any bytes at all.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type Fault =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; code?: string; message?: string; retryAfter?: string }
  | { kind: 'hang' }
  | { kind: 'reset' }
  | { kind: 'html'; status?: number }
  | { kind: 'malformed' }
  /** A redirect elsewhere: the server must not follow it (it would carry the key). */
  | { kind: 'redirect'; status?: number; location: string }
  /** Any status, content type and bytes: garbage answers for the fuzz tests. */
  | { kind: 'raw'; status: number; contentType?: string; body: string | Uint8Array }
  /** Headers promising more body than comes before the connection drops. */
  | { kind: 'truncated' }
  /** A success that takes `ms` to come (requests in flight during a shutdown). */
  | { kind: 'slow'; ms: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export const ANSWER_SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

export class UpstreamStandIn {
  readonly requests: RecordedRequest[] = [];
  /** Off for load tests: a record of every request would grow the process being measured. */
  recording = true;
  /** What client_secrets and calls answer next (per route; default ok). */
  faults: { secrets: Fault; calls: Fault } = { secrets: { kind: 'ok' }, calls: { kind: 'ok' } };
  /** WebSocket upgrades (the observer's `wss://…/realtime?call_id=`), when a test serves them. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
  #server?: Server;
  #hanging = new Set<ServerResponse>();
  #issued = 0;
  #calls = 0;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.on('upgrade', (req, socket, head) =>
      this.onUpgrade ? this.onUpgrade(req, socket, head) : socket.destroy(),
    );
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = { secrets: { kind: 'ok' }, calls: { kind: 'ok' } };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    const path = (req.url ?? '').split('?')[0]!;
    if (this.recording)
      this.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    const route = path.endsWith('/realtime/client_secrets')
      ? 'secrets'
      : path.endsWith('/realtime/calls')
        ? 'calls'
        : undefined;
    if (!route) return json(res, 404, { error: { code: 'NotFound', message: 'Resource not found' } });
    let fault = this.faults[route];
    if (fault.kind === 'slow') {
      await new Promise((resolve) => setTimeout(resolve, (fault as { ms: number }).ms));
      fault = { kind: 'ok' };
    }
    switch (fault.kind) {
      case 'hang':
        this.#hanging.add(res);
        res.on('close', () => this.#hanging.delete(res));
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'html':
        res.writeHead(fault.status ?? 200, { 'Content-Type': 'text/html' }).end('<html><body>Gateway</body></html>');
        return;
      case 'malformed':
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value": "ek_');
        return;
      case 'redirect':
        res.writeHead(fault.status ?? 307, { Location: fault.location }).end();
        return;
      case 'raw':
        res.writeHead(fault.status, fault.contentType ? { 'Content-Type': fault.contentType } : {}).end(fault.body);
        return;
      case 'truncated':
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '500' });
        res.write('{"value": "ek_trunc');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      case 'status':
        if (fault.retryAfter) res.setHeader('Retry-After', fault.retryAfter);
        return json(res, fault.status, {
          error: { code: fault.code ?? `E${fault.status}`, message: fault.message ?? `Upstream says ${fault.status}` },
        });
      case 'ok':
        if (route === 'secrets') {
          const session = JSON.parse(body || '{}').session ?? {};
          return json(res, 200, {
            value: `ek_standin_${++this.#issued}`,
            expires_at: Math.floor(Date.now() / 1000) + 600,
            session,
          });
        }
        res
          .writeHead(201, {
            'Content-Type': 'application/sdp',
            // Each call its own id, as the service gives: concurrent calls must not share one.
            Location: `/v1/realtime/calls/rtc_standin${++this.#calls}`,
          })
          .end(ANSWER_SDP);
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}
