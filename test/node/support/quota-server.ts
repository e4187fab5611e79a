/**
 * The reference server in-process for the quota and call-length tests: a real HTTP server on
 * loopback in front of the real emulator, the user named by an `X-Test-User` header (an
 * `authorize` function, as a site's own sign-in would be), and real WebRTC calls through
 * POST /connect.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { createApp } from '../../../server/src/app.ts';
import { loadConfig } from '../../../server/src/config.ts';
import { emulatorProvider } from '../../../server/src/providers/emulator.ts';
import type { RealtimeProvider } from '../../../server/src/providers/provider.ts';
import type { QuotaUnits } from '../../../server/src/quota/quota-config.ts';
import type { QuotaStore } from '../../../server/src/quota/quota-store.ts';
import { quotasOf, type Quotas } from '../../../server/src/quota/quotas.ts';
import type { WrtcClient } from './wrtc-client.ts';
import type { Payload } from '../../support/payload.ts';

export interface QuotaServer {
  base: string;
  quotas: Quotas;
  close(): void;
}

export async function quotaServer(options: {
  emulatorBase: string;
  env: Record<string, string>;
  units?: Partial<QuotaUnits>;
  store?: QuotaStore;
  /** false: no sign-in, the quotas count per client address. */
  users?: boolean;
  /** Changes to the emulator provider (a fault to inject). */
  provider?: (provider: RealtimeProvider) => RealtimeProvider;
}): Promise<QuotaServer> {
  const config = loadConfig({ RATE_LIMIT_MAX: '1000', ...options.env });
  config.quotas = { ...config.quotas, units: { ...config.quotas.units, ...options.units } };
  const app = createApp(config, {
    provider: (options.provider ?? ((p) => p))(emulatorProvider(options.emulatorBase)),
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    quotaStore: options.store,
    authorize: options.users === false ? undefined : (req) => ({ userId: req.get('x-test-user') ?? 'nobody' }),
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    quotas: quotasOf(app)!,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

/** The provider with some of its methods replaced (GaProvider's private fields rule out a prototype copy). */
export function withFault(provider: RealtimeProvider, changes: Partial<RealtimeProvider>): RealtimeProvider {
  return {
    name: provider.name,
    createClientSecret: (session, signal) => provider.createClientSecret(session, signal),
    createCall: (offer, token, options, signal) => provider.createCall(offer, token, options, signal),
    callsUrl: (options) => provider.callsUrl(options),
    hangup: (callId) => provider.hangup(callId),
    observer: (callId) => provider.observer(callId),
    ...changes,
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: Payload;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* SDP */
  }
  return { status: res.status, headers: res.headers, body };
}

export async function mintToken(base: string, user?: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(
    await fetch(`${base}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(user ? { 'X-Test-User': user } : {}), ...headers },
      body: '{}',
    }),
  );
}

/** A real call through POST /connect: the client's offer, the server's answer, the data channel open. */
export async function connectCall(base: string, client: WrtcClient, user?: string): Promise<Answer> {
  await client.pc.setLocalDescription(await client.pc.createOffer());
  const res = await fetch(`${base}/connect`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...(user ? { 'X-Test-User': user } : {}) },
    body: client.pc.localDescription!.sdp,
  });
  if (res.status !== 201) return answer(res);
  client.callId = (res.headers.get('location') ?? '').split('/').pop()!;
  const sdp = await res.text();
  await client.pc.setRemoteDescription({ type: 'answer', sdp });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('data channel did not open')), 10_000);
    if (client.channel.readyState === 'open') return resolve();
    client.channel.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { status: 201, headers: res.headers, body: sdp };
}

/** A /connect whose offer the service refuses (400 upstream): a call that fails to start. */
export async function failedConnect(base: string, user?: string): Promise<Answer> {
  const offer = 'v=0\r\nthis is not an offer\r\n';
  return answer(
    await fetch(`${base}/connect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', ...(user ? { 'X-Test-User': user } : {}) },
      body: offer,
    }),
  );
}

/** Polls `check` every 50 ms until true, or fails after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
