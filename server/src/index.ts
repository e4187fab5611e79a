/**
 * `npm run server`: the reference server alone. Reads the environment once
 * (config.ts), fails at start-up naming a wrong variable, serves /token,
 * /connect and /healthz, and shuts down gracefully (observers closed).
 */
import { pino } from 'pino';
import { createApp, jsonNotFound } from './app.js';
import { AUTH_MODE_REQUIRED } from './auth/auth-config.js';
import { memoryReplayStore, redisReplayStore, type ReplayStore } from './auth/replay-store.js';
import { ConfigError, loadConfig } from './config.js';
import { createHttpServer } from './http-server.js';
import { CallObservers } from './observer/call-observer.js';
import { createProvider } from './providers/index.js';
import { redisQuotaStore, type QuotaStore } from './quota/quota-store.js';
import { quotasOf } from './quota/quotas.js';
import { redisRateLimitStore, type SharedStore } from './rate-limit-store.js';
import { shutDownGracefully } from './shutdown.js';
import { exampleTools } from './tools/example-tools.js';

const log = pino({ level: process.env.LOG_LEVEL ?? 'info' });
let config;
try {
  config = loadConfig(process.env);
  // `npm start` (the demo) is public on purpose; a server run on its own must say who may spend the quota.
  if (!config.auth) throw new ConfigError(AUTH_MODE_REQUIRED);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
// With REALTIME_PROVIDER=emulator (the default without cloud settings) it talks to `npm run emulator`.
const provider = createProvider(config, {
  emulator: { baseUrl: (process.env.EMULATOR_URL ?? 'http://127.0.0.1:8787').replace(/\/+$/, '') },
});
let shared: SharedStore | undefined;
let ticketReplays: ReplayStore = memoryReplayStore();
let quotaStore: QuotaStore | undefined; // in memory (createApp's default) without REDIS_URL
if (config.redisUrl) {
  shared = await redisRateLimitStore(config.redisUrl);
  // A ticket used on one instance is refused on every other.
  if (config.auth.mode === 'ticket') ticketReplays = await redisReplayStore(config.redisUrl);
  // Every instance counts a user's calls and minutes, and the site's spend, together.
  quotaStore = await redisQuotaStore(config.redisUrl);
  log.info('rate limits and quotas shared through Redis');
}
const observers = new CallObservers(provider, exampleTools, log);
const app = createApp(config, {
  provider,
  logger: log,
  rateLimitStore: shared?.store,
  ticketReplays,
  quotaStore,
  onCall: config.observer ? (callId, reqLog) => void observers.open(callId, reqLog) : undefined,
});
app.use(jsonNotFound);
const server = createHttpServer(app, config); // slow clients are cut off (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS)
server.listen(config.port, () =>
  log.info({ port: config.port, provider: provider.name, auth: config.auth!.mode }, 'realtime-voice server listening'),
);

// Requests in flight finish, observers close with a reason, the stores last: shutdown.ts.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void shutDownGracefully({
      server,
      log,
      closeObservers: () => observers.closeAll(),
      // The watched calls give their slots back and count their minutes before the quota store closes.
      closeStores: () =>
        Promise.all([
          quotasOf(app)
            ?.shutdown()
            .then(() => quotaStore?.close()),
          shared?.close(),
          ticketReplays.close(),
        ]),
    }).then(() => process.exit(0));
  });
}
