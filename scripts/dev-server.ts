/**
 * The whole local stack on one port: the embedded realtime emulator
 * (/v1/realtime/…, /openai/v1/realtime/…), the reference server's routes
 * (/token, /connect, /healthz) and the demo pages with the element from
 * src/ (Vite). `npm start` and the screenshot script use it.
 * With AZURE_OPENAI_* or OPENAI_API_KEY in the environment the routes talk
 * to the real service instead (the emulator stays mounted, unused).
 */
import express from 'express';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createVite } from 'vite';
import { createEmulator } from '../emulator/src/server.ts';
import { createApp } from '../server/src/app.ts';
import { createHttpServer } from '../server/src/http-server.ts';
import { DEMO_SESSION_DEFAULTS } from './demo-session.ts';
import { loadConfig } from '../server/src/config.ts';
import { startMcpServer } from './demo-mcp-server.ts';
import { issueTicket } from '../server/src/auth/ticket.ts';
import { EMULATOR_API_KEY } from '../server/src/providers/emulator.ts';
import { createProvider } from '../server/src/providers/index.ts';
import { CallObservers } from '../server/src/observer/call-observer.ts';
import { exampleTools } from '../server/src/tools/example-tools.ts';
import { pino } from 'pino';

/** Builds dist/ once when it is missing (a fresh clone), so the drop-in example pages work. */
function ensureBuilt(): void {
  if (existsSync('dist/realtime-voice.bundle.js') && existsSync('dist/realtime-voice.iife.js')) return;
  console.log('  Building dist/ once for the drop-in example pages (npm run build)…');
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
}

export interface DevServer {
  url: string;
  provider: string;
  http: Server;
  close(): Promise<void>;
}

export async function startDevServer(options: { port: number; env?: NodeJS.ProcessEnv }): Promise<DevServer> {
  const env = options.env ?? process.env;
  const config = loadConfig(env); // fails here, naming the variable, when the environment is wrong
  const app = express();
  const http = createHttpServer(app, config); // the reference server's deadlines for slow clients
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  const emulator = createEmulator({
    apiKeys: [EMULATOR_API_KEY],
    ice: env.EMULATOR_ICE === 'loopback' ? 'loopback' : 'all',
  });
  app.use(emulator.app);
  const logger = pino({ level: env.LOG_LEVEL ?? 'warn' });
  const provider = createProvider(config, {
    emulator: { baseUrl: `http://127.0.0.1:${port}`, publicCallsUrl: '/v1/realtime/calls' },
  });
  // AUTH_MODE=ticket npm start: this stands in for the site's backend, which would issue a ticket only
  // to a signed-in user (the demo page asks for one before each call; with the default, none, it 404s).
  if (config.auth?.mode === 'ticket') {
    const secret = config.auth.ticketSecret;
    app.get(
      '/demo-ticket',
      (_req, res) =>
        void res
          .set('Cache-Control', 'no-store')
          .type('text/plain')
          .send(issueTicket({ userId: 'demo-user', secret })),
    );
  }
  // On the emulator, unless the environment names its own: a local "orders" MCP server, so the demo shows an
  // MCP tool call (lookup_order runs at once; cancel_order asks the user's approval). DEMO_MCP=0 leaves it out.
  const demoMcp =
    provider.name === 'emulator' && !config.mcpServers.length && env.DEMO_MCP !== '0'
      ? await startMcpServer()
      : undefined;
  const mcpServers = demoMcp
    ? [
        {
          type: 'mcp' as const,
          server_label: 'orders',
          server_url: demoMcp.url,
          require_approval: { never: { tool_names: ['lookup_order'] } },
        },
      ]
    : config.mcpServers;
  app.use(
    createApp(
      {
        ...config,
        mcpServers,
        sessionDefaults: DEMO_SESSION_DEFAULTS,
      },
      { provider, logger, onCall: config.observer ? (callId, log) => void observers.open(callId, log) : undefined },
    ),
  );
  const observers = new CallObservers(provider, exampleTools, logger);
  // The drop-in example pages (cdn, classic, cms, csp) load the built files.
  ensureBuilt();
  app.use('/dist', express.static('dist', { fallthrough: false }));
  app.use('/csp.html', (_req, res, next) => {
    res.set('Content-Security-Policy', "default-src 'self'; connect-src 'self'; base-uri 'none'; object-src 'none'");
    next();
  });
  const vite = await createVite({
    configFile: 'vite.config.ts',
    appType: 'mpa',
    server: { middlewareMode: true, hmr: { server: http } },
  });
  app.use(vite.middlewares);
  http.on('upgrade', (request, socket, head) => {
    emulator.handleUpgrade(request, socket, head); // other upgrades (Vite's HMR) have their own listener
  });
  return {
    url: `http://localhost:${port}/`,
    provider: provider.name,
    http,
    async close() {
      await Promise.all([observers.closeAll(), emulator.close(), vite.close(), demoMcp?.close()]);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
