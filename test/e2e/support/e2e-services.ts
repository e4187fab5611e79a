/**
 * The real services behind the end-to-end browser tests: the emulator in a
 * child process on its own loopback port (the page posts its offer there
 * directly, as to the cloud) and the reference server's app
 * mounted on the test server's origin under /api (token + connect) and
 * /api-filtered (the same with webrtcfilter=on).
 */
import express from 'express';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pino } from 'pino';
import WebSocket from 'ws';
import { checkClientEvent, checkServerEvent } from '../../../emulator/src/protocol/event-schemas.ts';
import { DEMO_SESSION_DEFAULTS } from '../../../scripts/demo-session.ts';
import { startEmulatorProcess } from './emulator-process.ts';
import { createApp } from '../../../server/src/app.ts';
import { EMULATOR_API_KEY, emulatorProvider } from '../../../server/src/providers/emulator.ts';
import { CallObservers } from '../../../server/src/observer/call-observer.ts';
import { exampleTools } from '../../../server/src/tools/example-tools.ts';
import { issueTicket } from '../../../server/src/auth/ticket.ts';
import { REAL_UNITS } from '../../../server/src/quota/quota-config.ts';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createServer } from 'node:http';
import { startMcpServer } from '../../../scripts/demo-mcp-server.ts';
import { UdpRelay, relayTarget, throughRelay, type Impairment } from '../../support/udp-relay.ts';
import { overrideProvider } from '../../support/provider-override.ts';
import type { AddressInfo } from 'node:net';

const TICKET_SECRET = 'e2e-ticket-secret-0123456789-0123456789';
const ISSUER = 'https://idp.e2e.test/';
const AUDIENCE = 'realtime-voice-e2e';

/**
 * A site's sign-in, for the sign-in tests: an identity provider (its keys on a loopback JWKS server,
 * its tokens from /api-idp/token?user=…&ttl=…) and a site backend issuing tickets (/api-idp/ticket?user=…).
 */
async function startIdentityProvider() {
  const keys = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'e2e', alg: 'ES256', use: 'sig' };
  const jwks = createServer((_req, res) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const router = express.Router();
  router.get('/token', async (req, res) => {
    const ttl = Number(req.query.ttl ?? 300);
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'e2e' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(String(req.query.user ?? 'alice'))
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttl)
      .sign(keys.privateKey);
    res.type('text/plain').send(jwt);
  });
  router.get(
    '/ticket',
    (req, res) =>
      void res
        .type('text/plain')
        .send(issueTicket({ userId: String(req.query.user ?? 'alice'), secret: TICKET_SECRET })),
  );
  const jwtAuth = {
    mode: 'jwt' as const,
    jwksUrl: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
    issuer: ISSUER,
    audience: AUDIENCE,
    userClaim: 'sub',
  };
  return {
    router,
    jwtAuth,
    ticketAuth: { mode: 'ticket' as const, ticketSecret: TICKET_SECRET },
    close: () => jwks.close(),
  };
}

export async function startE2eServices() {
  const emulator = await startEmulatorProcess(EMULATOR_API_KEY);
  const emulatorBase = emulator.baseUrl;
  const provider = emulatorProvider(emulatorBase);
  const sessionDefaults = DEMO_SESSION_DEFAULTS;
  const api = express();
  const logger = pino({ level: 'silent' });
  // Many tests start calls in a row from one client: no rate limit here (the server tests cover it).
  const rateLimit = { max: 10_000, windowMs: 60_000 };
  api.use('/api', createApp({ sessionDefaults, rateLimit }, { provider, logger }));
  api.use('/api-filtered', createApp({ sessionDefaults, rateLimit, webrtcFilter: true }, { provider, logger }));
  // An operator who fixes the turn detection (semantic, low eagerness) and the reasoning effort (REALTIME_LOCKED).
  api.use(
    '/api-locked',
    createApp(
      {
        sessionDefaults,
        rateLimit,
        settings: { turn_detection: 'semantic_vad', vad_eagerness: 'low', reasoning_effort: 'minimal' },
        locked: new Set(['vad_eagerness', 'reasoning_effort'] as const),
      },
      { provider, logger },
    ),
  );
  // An operator's MCP server (a real one on loopback): lookup_order runs without asking, the others need approval.
  const mcp = await startMcpServer();
  api.use(
    '/api-mcp',
    createApp(
      {
        sessionDefaults,
        rateLimit,
        mcpServers: [
          {
            type: 'mcp',
            server_label: 'orders',
            server_url: mcp.url,
            require_approval: { never: { tool_names: ['lookup_order'] } },
            authorization: 'e2e-mcp-secret',
          },
        ],
      },
      { provider, logger },
    ),
  );
  // A bad network (issue 18): calls through /api-impaired/<lane>/connect cross a UDP relay the tests script.
  // Each browser's test file has a lane of its own (Chromium and Firefox run at once), so one engine's
  // blackout never darkens the other's call.
  // (The apps are made here, not in a request: express-rate-limit refuses to be created in a handler.)
  const lanes = new Map<string, { relay?: UdpRelay; networkGone: boolean; app: express.Express }>();
  for (const name of ['chromium', 'firefox', 'webkit']) {
    const state: { relay?: UdpRelay; networkGone: boolean } = { networkGone: false };
    const impaired = overrideProvider(provider, {
      async createCall(offer, token, options, signal) {
        const answer = await provider.createCall(offer, token, options, signal);
        state.relay?.close();
        state.relay = await UdpRelay.start(relayTarget(answer.sdp), { lifetimeMs: 120_000 });
        // The network gone for good: the new call's path is dead too.
        if (state.networkGone) state.relay.blackout(120_000);
        return { ...answer, sdp: throughRelay(answer.sdp, state.relay.port) };
      },
    });
    lanes.set(
      name,
      Object.assign(state, { app: createApp({ sessionDefaults, rateLimit }, { provider: impaired, logger }) }),
    );
  }
  const laneOf = (name: string) => {
    const lane = lanes.get(name);
    if (!lane) throw new Error(`no relay lane ${name}`);
    return lane;
  };
  api.use('/api-impaired/:lane', (req, res, next) => {
    const lane = lanes.get(req.params.lane);
    if (lane) lane.app(req, res, next);
    else next();
  });
  // With the observer on: it logs the conversation here and runs the example server tool.
  const observerLines: Array<Record<string, unknown>> = [];
  const observerLog = pino({ level: 'info' }, { write: (line: string) => void observerLines.push(JSON.parse(line)) });
  const serverObservers = new CallObservers(provider, exampleTools, observerLog);
  const idp = await startIdentityProvider();
  api.use('/api-idp', idp.router);
  api.use('/api-jwt', createApp({ sessionDefaults, rateLimit, auth: idp.jwtAuth }, { provider, logger }));
  api.use('/api-ticket', createApp({ sessionDefaults, rateLimit, auth: idp.ticketAuth }, { provider, logger }));
  // Quotas per signed-in user: one call an hour; and a "day" of 1 minute = 200 ms of conversation.
  const hourly = { callsPerHour: 1, units: REAL_UNITS };
  const daily = { minutesPerDay: 1, units: { ...REAL_UNITS, minuteMs: 200 } };
  api.use(
    '/api-quota-hourly',
    createApp({ sessionDefaults, rateLimit, auth: idp.ticketAuth, quotas: hourly }, { provider, logger }),
  );
  api.use(
    '/api-quota-daily',
    createApp({ sessionDefaults, rateLimit, auth: idp.ticketAuth, quotas: daily }, { provider, logger }),
  );
  api.use(
    '/api-observed',
    createApp(
      { sessionDefaults, rateLimit, observer: true },
      { provider, logger: observerLog, onCall: (callId) => void serverObservers.open(callId) },
    ),
  );

  /** Koa middleware for the test runner's dev server: /api… goes to the Express app; /csp/… pages get a strict policy. */
  const middleware = async (
    ctx: {
      path: string;
      req: IncomingMessage;
      res: ServerResponse;
      respond?: boolean;
      set(name: string, value: string): void;
      type: string;
      body: unknown;
    },
    next: () => Promise<void>,
  ) => {
    if (ctx.path === '/csp/csp.html') {
      const policy = `default-src 'self'; connect-src 'self' ${emulatorBase}; img-src 'self' data:; base-uri 'none'; object-src 'none'`;
      ctx.set('Content-Security-Policy', policy);
      ctx.type = 'text/html';
      ctx.body = readFileSync('test/fixtures/csp.html', 'utf8');
      return;
    }
    if (
      !/^\/api(-filtered|-locked|-mcp|-impaired|-observed|-idp|-jwt|-ticket|-quota-hourly|-quota-daily)?\//.test(
        ctx.path,
      )
    )
      return next();
    ctx.respond = false;
    ctx.res.statusCode = 200; // koa presets 404; Express only sets the status when a route asks
    await new Promise<void>((resolve) => {
      ctx.res.on('finish', resolve);
      ctx.res.on('close', resolve);
      api(ctx.req, ctx.res);
    });
  };

  const observers = new Map<string, { ws: WebSocket; events: Array<{ type: string }> }>();

  /** Commands the browser tests call through executeServerCommand. */
  async function command(name: string, payload: Record<string, unknown>): Promise<unknown> {
    const callId = String(payload.callId ?? '');
    switch (name) {
      case 'emulator-call-log': {
        const call = await emulator.callLogs(callId);
        if (!call.found) return { found: false };
        const log = call.log ?? [];
        const clientLog = call.clientLog ?? [];
        return {
          found: true,
          serverTypes: log.map((e) => e.type),
          serverProblems: log.map(checkServerEvent).filter(Boolean),
          clientTypes: clientLog.map((e) => (e as { type?: string }).type),
          clientEventIds: clientLog.map((e) => (e as { event_id?: string }).event_id),
          clientProblems: clientLog.map(checkClientEvent).filter(Boolean),
          errors: log.filter((e) => e.type === 'error').map((e) => e.error),
          contexts: call.contexts ?? [],
        };
      }
      case 'observer-open': {
        const ws = new WebSocket(
          `${emulatorBase.replace('http', 'ws')}/v1/realtime?call_id=${encodeURIComponent(callId)}`,
          {
            headers: { Authorization: `Bearer ${EMULATOR_API_KEY}` },
          },
        );
        const entry = { ws, events: [] as Array<{ type: string }> };
        observers.set(callId, entry);
        await new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
        ws.on('message', (data) => entry.events.push(JSON.parse(data.toString())));
        if (payload.send) ws.send(JSON.stringify(payload.send));
        return true;
      }
      case 'observer-events': {
        const entry = observers.get(callId);
        const types = entry?.events.map((e) => e.type) ?? [];
        if (payload.close) {
          entry?.ws.close();
          observers.delete(callId);
        }
        return types;
      }
      case 'relay-impair': {
        const lane = laneOf(String(payload.lane));
        lane.relay?.impair(
          payload.impairment as Impairment,
          (payload.direction as 'up' | 'down' | undefined) ?? 'both',
        );
        return lane.relay?.stats;
      }
      case 'relay-blackout': {
        const lane = laneOf(String(payload.lane));
        lane.relay?.blackout(Number(payload.ms));
        return lane.relay?.stats;
      }
      case 'relay-stats':
        return laneOf(String(payload.lane)).relay?.stats;
      case 'relay-gone': {
        // Every datagram of this lane's call and of any new one is dropped, until relay-back.
        const lane = laneOf(String(payload.lane));
        lane.networkGone = true;
        lane.relay?.blackout(120_000);
        return true;
      }
      case 'relay-back': {
        const lane = laneOf(String(payload.lane));
        lane.networkGone = false;
        lane.relay?.blackout(0);
        return true;
      }
      case 'mcp-calls':
        return mcp.calls.map((c) => ({ name: c.name, args: c.args, authorization: c.headers.authorization }));
      case 'server-observer-log':
        return observerLines
          .filter((line) => line.callId === callId)
          .map((line) => ({ msg: line.msg, role: line.role, text: line.text, tool: line.tool }));
      default:
        return undefined;
    }
  }

  return { emulator, emulatorBase, middleware, command };
}
