/**
 * A bad network between the bench's browser and its emulator (issue 18): POST /impaired/calls forwards
 * the offer to the emulator and answers with the emulator's SDP moved onto a UDP relay on loopback
 * (test/support/udp-relay.ts), one relay per call. /impaired/token mints tokens whose calls_url is that
 * route, so both the widget and the bare client (token mode, as the other benches) cross the relay.
 * The bench scripts the current call's relay: loss, jitter, blackouts.
 */
import express from 'express';
import type { Logger } from 'pino';
import { createApp } from '../../server/src/app.ts';
import type { RealtimeProvider } from '../../server/src/providers/provider.ts';
import { overrideProvider } from '../../test/support/provider-override.ts';
import { UdpRelay, relayTarget, throughRelay, type Impairment } from '../../test/support/udp-relay.ts';

/** A relay outlives no bench run: it closes itself after this long. */
const RELAY_LIFETIME_MS = 10 * 60_000;

export interface ImpairedPath {
  router: express.Router;
  /** The impairment of the current call and of every later one (until changed). */
  impair(impairment: Impairment): void;
  /** The current call's path goes dark for `ms` (later calls' paths too while `forever`). */
  blackout(ms: number, forever?: boolean): void;
  /** The relay of the newest call, if any. */
  readonly relay: UdpRelay | undefined;
  close(): void;
}

export function impairedPath(
  provider: RealtimeProvider,
  emulatorBase: string,
  stackUrl: () => string,
  settings: { sessionDefaults: Record<string, unknown>; logger: Logger },
): ImpairedPath {
  let relay: UdpRelay | undefined;
  let impairment: Impairment = {};
  let dark = false;
  const relays = new Set<UdpRelay>();
  const router = express.Router();
  router.post('/calls', express.text({ type: 'application/sdp', limit: '100kb' }), async (req, res) => {
    const answer = await fetch(`${emulatorBase}/v1/realtime/calls`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', Authorization: req.get('authorization') ?? '' },
      body: String(req.body),
    });
    const sdp = await answer.text();
    if (!answer.ok) return void res.status(answer.status).type('application/json').send(sdp);
    relay = await UdpRelay.start(relayTarget(sdp), { lifetimeMs: RELAY_LIFETIME_MS });
    relays.add(relay);
    relay.impair(impairment, 'both');
    if (dark) relay.blackout(RELAY_LIFETIME_MS);
    const location = answer.headers.get('location');
    if (location) res.set('Location', location);
    res.status(201).type('application/sdp').send(throughRelay(sdp, relay.port));
  });
  const tokens = overrideProvider(provider, { callsUrl: () => `${stackUrl()}/impaired/calls` });
  router.use(
    createApp(
      { sessionDefaults: settings.sessionDefaults, rateLimit: { max: 1_000_000, windowMs: 60_000 } },
      { provider: tokens, logger: settings.logger },
    ),
  );
  return {
    router,
    impair(next) {
      impairment = next;
      relay?.impair(next, 'both');
    },
    blackout(ms, forever = false) {
      dark = forever;
      relay?.blackout(ms);
    },
    get relay() {
      return relay;
    },
    close() {
      for (const r of relays) r.close();
    },
  };
}
