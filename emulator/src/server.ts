/**
 * The emulator's HTTP and WebSocket surface, in both dialects:
 * `/v1/realtime/...` (OpenAI) and `/openai/v1/realtime/...` (Azure).
 *
 *   POST client_secrets         key header → { value: "ek_…", expires_at, session }
 *   POST calls[?webrtcfilter=on] Bearer ek_… + SDP offer → 201 SDP answer, Location
 *   POST calls/{id}/hangup      key or the call's token → 200
 *   WS   realtime?call_id=…     observer/controller of a call
 *
 * Errors are `{ error: { type, code, message, param } }`; CORS is open, as
 * the service's (pages call `calls` directly in token mode).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Call } from './call.js';
import { MAX_EVENT_DEPTH, nestingExceeds } from './protocol/limits.js';
import { clientSecretRequestSchema, describeIssue } from './protocol/session-schema.js';
import type { IcePolicy } from './sdp.js';
import { applySession, defaultSession, MAX_SESSION_SECONDS, type EffectiveSession } from './session.js';
import { TokenStore } from './tokens.js';

export interface EmulatorOptions {
  /** Keys accepted for client_secrets, hang-up and observers. Default: any non-empty key. */
  apiKeys?: string[];
  /** `loopback` keeps ICE on 127.0.0.1/::1 (tests); `all` offers every host address (default). */
  ice?: IcePolicy;
  /** Session length cap in seconds (default 3600, the service's). */
  maxSessionSeconds?: number;
  /** Adds GET /__test/calls/{id}: the call's event logs, for tests that run the emulator in another process. */
  testHooks?: boolean;
}

export interface Emulator {
  /** The Express app: mount it, or let `listen()` serve it. */
  app: express.Express;
  /** Handles WebSocket upgrades for `?call_id=` observers; returns false for other paths. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  calls: Map<string, Call>;
  tokens: TokenStore<EffectiveSession>;
  /** Serves the emulator alone; resolves with its base URL. */
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

const PREFIXES = ['/v1/realtime', '/openai/v1/realtime'];

export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const calls = new Map<string, Call>();
  const tokens = new TokenStore<EffectiveSession>();
  const ice = options.ice ?? 'all';
  const maxDurationMs = (options.maxSessionSeconds ?? MAX_SESSION_SECONDS) * 1000;
  let server: Server | undefined;

  const keyOf = (req: IncomingMessage): string | undefined => {
    const apiKey = req.headers['api-key'];
    if (typeof apiKey === 'string' && apiKey) return apiKey;
    const auth = req.headers.authorization;
    return auth?.startsWith('Bearer ') ? auth.slice(7).trim() || undefined : undefined;
  };
  const keyAccepted = (key: string | undefined) =>
    !!key && !key.startsWith('ek_') && (!options.apiKeys || options.apiKeys.includes(key));

  const app = express();
  app.disable('x-powered-by');
  app.use(PREFIXES, cors);

  const router = express.Router();
  router.post('/client_secrets', express.json({ limit: '256kb' }), (req, res) => {
    const key = keyOf(req);
    if (!keyAccepted(key)) {
      return fail(
        res,
        401,
        key ? 'invalid_api_key' : 'missing_api_key',
        key ? 'Incorrect API key provided.' : 'You did not provide an API key: send api-key or Authorization: Bearer.',
      );
    }
    if (nestingExceeds(req.body))
      return fail(res, 400, 'invalid_value', `The request body is nested more than ${MAX_EVENT_DEPTH} levels deep.`);
    const parsed = clientSecretRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = describeIssue(parsed.error, '', req.body ?? {});
      return fail(res, 400, issue.code, issue.message, issue.param);
    }
    const session = defaultSession(parsed.data.session?.model);
    if (parsed.data.session) applySession(session, parsed.data.session);
    const token = tokens.issue(session, parsed.data.expires_after?.seconds);
    res.set('Cache-Control', 'no-store').json({ value: token.value, expires_at: token.expiresAt, session });
  });

  router.post('/calls', express.text({ type: () => true, limit: '128kb' }), async (req, res) => {
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7).trim() : '';
    const checked = tokens.check(bearer);
    if ('problem' in checked) {
      const expired = checked.problem === 'expired';
      return fail(
        res,
        401,
        expired ? 'expired_token' : 'invalid_api_key',
        expired
          ? 'The ephemeral token has expired; request a new one.'
          : 'Incorrect or missing ephemeral token (expected Authorization: Bearer ek_…).',
      );
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    const offer = typeof req.body === 'string' ? req.body : '';
    if (type !== 'application/sdp' || !offer.startsWith('v=')) {
      return fail(res, 400, 'invalid_offer', 'The body must be an SDP offer sent as Content-Type: application/sdp.');
    }
    const call = new Call({
      session: structuredClone(checked.token.session),
      filtered: req.query.webrtcfilter === 'on',
      ice,
      maxDurationMs,
      onClosed: (ended) => calls.delete(ended.id),
    });
    calls.set(call.id, call);
    // A browser that went away before its answer came (a page stopped while connecting) never connects
    // to the call: it is ended at once instead of waiting for the connect deadline.
    let abandoned = false;
    res.once('close', () => (abandoned = !res.writableFinished));
    try {
      const answer = await call.answer(offer);
      if (abandoned) return call.close('offer abandoned');
      res.status(201).type('application/sdp').set('Location', `${req.baseUrl}/calls/${call.id}`).send(answer);
    } catch (error) {
      call.close('negotiation failed');
      fail(res, 400, 'invalid_offer', `The SDP offer could not be negotiated: ${(error as Error).message}`);
    }
  });

  router.post('/calls/:callId/hangup', (req, res) => {
    const key = keyOf(req);
    const ephemeralOk = key?.startsWith('ek_') && !('problem' in tokens.check(key));
    if (!keyAccepted(key) && !ephemeralOk) return fail(res, 401, 'invalid_api_key', 'Incorrect API key provided.');
    const call = calls.get(String(req.params.callId));
    if (!call) return fail(res, 404, 'call_not_found', `No call with id ${req.params.callId}.`);
    call.close('hangup');
    res.status(200).json({});
  });

  if (options.testHooks) {
    app.get('/__test/calls/:callId', (req, res) => {
      const call = calls.get(String(req.params.callId));
      res.json(
        call
          ? { found: true, log: call.log, clientLog: call.clientLog, contexts: call.conversation.contexts }
          : { found: false },
      );
    });
  }
  for (const prefix of PREFIXES) app.use(prefix, router);
  app.use(PREFIXES, (_req: Request, res: Response) => fail(res, 404, 'not_found', 'Unknown realtime endpoint.'));
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    fail(
      res,
      error.status ?? 500,
      error.type === 'entity.too.large' ? 'payload_too_large' : 'invalid_request',
      error.status ? error.message : 'Internal emulator error.',
    );
  });

  // The service takes audio appends of up to 15 MiB; bigger frames close the socket (1009), as there.
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 16 << 20 });

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://emulator');
    if (!PREFIXES.includes(url.pathname)) return false;
    const reject = (status: number, message: string) => {
      socket.end(
        `HTTP/1.1 ${status} ${message}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ error: { type: 'invalid_request_error', code: status === 401 ? 'invalid_api_key' : 'call_not_found', message } })}`,
      );
      return true;
    };
    if (!keyAccepted(keyOf(request))) return reject(401, 'Unauthorized');
    const call = calls.get(url.searchParams.get('call_id') ?? '');
    if (!call) return reject(404, 'Not Found');
    sockets.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const observer = {
        send: (text: string) => ws.readyState === ws.OPEN && ws.send(text),
        close: (code?: number, reason?: string) => ws.close(code, reason),
      };
      call.addObserver(observer);
      ws.on('message', (data) => call.fromObserver(data.toString()));
      ws.on('close', () => call.removeObserver(observer));
      ws.on('error', () => call.removeObserver(observer));
    });
    return true;
  }

  return {
    app,
    handleUpgrade,
    calls,
    tokens,
    listen(port = 0, host = '127.0.0.1') {
      server = createServer(app);
      server.on('upgrade', (req, socket, head) => {
        if (!handleUpgrade(req, socket, head)) socket.destroy();
      });
      return new Promise((resolve) => {
        server!.listen(port, host, () => {
          const address = server!.address();
          const actual = typeof address === 'object' && address ? address.port : port;
          resolve(`http://${host.includes(':') ? `[${host}]` : host}:${actual}`);
        });
      });
    },
    async close() {
      for (const call of calls.values()) call.close('emulator shutting down');
      sockets.close();
      if (server) {
        const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
        server.closeAllConnections(); // keep-alive sockets would hold close() open
        await closed;
      }
    },
  };
}

function cors(req: Request, res: Response, next: NextFunction): void {
  res.set('Access-Control-Allow-Origin', req.headers.origin ?? '*');
  res.set('Vary', 'Origin');
  res.set('Access-Control-Expose-Headers', 'Location');
  if (req.method === 'OPTIONS') {
    res.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
    res.set(
      'Access-Control-Allow-Headers',
      req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, api-key',
    );
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
    return;
  }
  next();
}

function fail(res: Response, status: number, code: string, message: string, param?: string): void {
  res.status(status).json({
    error: { type: status >= 500 ? 'server_error' : 'invalid_request_error', code, message, param: param ?? null },
  });
}
