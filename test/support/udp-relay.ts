/**
 * A bad network in user space (the machines' kernel has no netem): a UDP relay on loopback between a
 * WebRTC client and the emulator. The emulator's answer names the relay's port as its candidate
 * (`throughRelay`), the relay forwards each datagram to the real port and back, and on the way it loses
 * (at random, or in bursts), delays, jitters, reorders, caps the bandwidth or drops everything for a
 * while (a blackout), as each test scripts it. Loopback only, and every relay closes itself after
 * `lifetimeMs`, so a test that forgets one leaves nothing behind.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** What one direction of the path does to the datagrams crossing it. */
export interface Impairment {
  /** Share of datagrams lost at random, 0–1. */
  loss?: number;
  /**
   * Bursty loss (a two-state Gilbert–Elliott channel): each datagram enters a burst with probability
   * `enter`, a burst ends with probability `leave`, and inside one `lossInBurst` (default 1) is lost.
   */
  burst?: { enter: number; leave: number; lossInBurst?: number };
  /** Added one-way delay, ms. */
  delayMs?: number;
  /** The delay varies by up to this much either way (uniform), ms: datagrams overtake each other. */
  jitterMs?: number;
  /** Share of datagrams held back `reorderMs` (default 30) more, so later ones overtake them. */
  reorder?: number;
  reorderMs?: number;
  /** The link's rate, kbit/s: datagrams wait their turn, and one that would wait over `queueMs` (default 300) is dropped. */
  bandwidthKbps?: number;
  queueMs?: number;
}

export interface DirectionStats {
  received: number;
  forwarded: number;
  lost: number;
  /** Dropped because the bandwidth cap's queue was full. */
  overflowed: number;
  /** Dropped during a blackout. */
  blackedOut: number;
}

export interface RelayOptions {
  /** The relay closes itself after this long (default 10 minutes): a bound for any test or bench run. */
  lifetimeMs?: number;
  /** Seeds the relay's own random numbers, so a run's losses can be replayed (default: Math.random). */
  seed?: number;
}

const LOOPBACK = /^127\.\d+\.\d+\.\d+$/;

/** Toward the target (`up`, client → emulator) and back (`down`). */
type Direction = 'up' | 'down';

class Path {
  impairment: Impairment = {};
  readonly stats: DirectionStats = { received: 0, forwarded: 0, lost: 0, overflowed: 0, blackedOut: 0 };
  #inBurst = false;
  /** When the bandwidth-capped link is free again (performance.now() ms). */
  #linkFreeAt = 0;

  constructor(private readonly random: () => number) {}

  /** The delay before this datagram leaves, or undefined when it is lost. */
  delayFor(bytes: number): number | undefined {
    const i = this.impairment;
    const random = this.random;
    if (i.burst) {
      this.#inBurst = this.#inBurst ? random() >= i.burst.leave : random() < i.burst.enter;
      if (this.#inBurst && random() < (i.burst.lossInBurst ?? 1)) return this.#lose();
    }
    if (i.loss && random() < i.loss) return this.#lose();
    let delay = (i.delayMs ?? 0) + (i.jitterMs ? (random() * 2 - 1) * i.jitterMs : 0);
    if (i.reorder && random() < i.reorder) delay += i.reorderMs ?? 30;
    if (i.bandwidthKbps) {
      const now = performance.now();
      const serialization = (bytes * 8) / i.bandwidthKbps; // ms, at kbit/s
      const start = Math.max(now, this.#linkFreeAt);
      if (start - now > (i.queueMs ?? 300)) {
        this.stats.overflowed++;
        return undefined;
      }
      this.#linkFreeAt = start + serialization;
      delay += this.#linkFreeAt - now;
    }
    return Math.max(0, delay);
  }

  #lose(): undefined {
    this.stats.lost++;
    return undefined;
  }
}

/** A relay in front of one target (the emulator's UDP port); each client address gets its own upstream socket, as a NAT does. */
export class UdpRelay {
  readonly #front: Socket;
  readonly #upstreams = new Map<string, Socket>();
  readonly #paths: Record<Direction, Path>;
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #lifetime: ReturnType<typeof setTimeout>;
  #blackoutUntil = 0;
  #closed = false;

  private constructor(
    front: Socket,
    private readonly target: { address: string; port: number },
    options: RelayOptions,
  ) {
    this.#front = front;
    const random = options.seed === undefined ? Math.random : seeded(options.seed);
    this.#paths = { up: new Path(random), down: new Path(random) };
    front.on('message', (data, from) => this.#fromClient(data, from));
    this.#lifetime = setTimeout(() => this.close(), options.lifetimeMs ?? 10 * 60_000);
    this.#lifetime.unref();
  }

  /** A relay on 127.0.0.1 (a free port) forwarding to `target`, which must be on loopback too. */
  static async start(target: { address: string; port: number }, options: RelayOptions = {}): Promise<UdpRelay> {
    if (!LOOPBACK.test(target.address)) throw new Error(`the relay forwards to loopback only, not ${target.address}`);
    const front = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      front.once('error', reject);
      front.bind(0, '127.0.0.1', () => resolve());
    });
    return new UdpRelay(front, target, options);
  }

  /** The port clients send to (the candidate the answer names). */
  get port(): number {
    return this.#front.address().port;
  }

  /** What each direction did so far. */
  get stats(): Record<Direction, DirectionStats> {
    return { up: { ...this.#paths.up.stats }, down: { ...this.#paths.down.stats } };
  }

  /** Sets what the path does from now on, one way or both ways (`{}` makes it perfect again). */
  impair(impairment: Impairment, direction: Direction | 'both' = 'both'): void {
    for (const d of direction === 'both' ? (['up', 'down'] as const) : [direction])
      this.#paths[d].impairment = impairment;
  }

  /** Nothing gets through either way for `ms` (a tunnel, a closed lid, a dead Wi-Fi). */
  blackout(ms: number): void {
    this.#blackoutUntil = performance.now() + ms;
  }

  /** Whether a blackout is on now. */
  get blackedOut(): boolean {
    return performance.now() < this.#blackoutUntil;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#lifetime);
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const socket of this.#upstreams.values()) socket.close();
    this.#upstreams.clear();
    this.#front.close();
  }

  #fromClient(data: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    let upstream = this.#upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.bind(0, '127.0.0.1');
      // Back from the target: to the client this upstream socket stands for.
      upstream.on('message', (reply) => this.#pass('down', reply, (d) => this.#front.send(d, from.port, from.address)));
      upstream.on('error', () => {}); // a datagram to a closed port: the path is lossy anyway
      this.#upstreams.set(key, upstream);
    }
    const socket = upstream;
    this.#pass('up', data, (d) => socket.send(d, this.target.port, this.target.address));
  }

  #pass(direction: Direction, data: Buffer, send: (data: Buffer) => void): void {
    if (this.#closed) return;
    const path = this.#paths[direction];
    path.stats.received++;
    if (this.blackedOut) {
      path.stats.blackedOut++;
      return;
    }
    const delay = path.delayFor(data.length);
    if (delay === undefined) return;
    const deliver = () => {
      if (this.#closed) return;
      path.stats.forwarded++;
      send(data);
    };
    if (delay < 0.5) return deliver();
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      deliver();
    }, delay);
    this.#timers.add(timer);
  }
}

/**
 * The answer SDP with one candidate: the relay's port on 127.0.0.1, so the client's media and its
 * connectivity checks all cross the relay (ICE still runs end to end through it).
 */
export function throughRelay(answerSdp: string, relayPort: number): string {
  const lines = answerSdp.split('\r\n');
  const out: string[] = [];
  let replaced = false;
  for (const line of lines) {
    if (line.startsWith('a=candidate:')) {
      // Only the first IPv4 UDP candidate, moved to the relay; the others would go around it.
      if (replaced || !isIpv4Udp(line)) continue;
      const parts = line.split(' ');
      parts[4] = '127.0.0.1';
      parts[5] = String(relayPort);
      out.push(parts.join(' '));
      replaced = true;
      continue;
    }
    if (line.startsWith('c=IN IP4 ')) {
      out.push('c=IN IP4 127.0.0.1');
      continue;
    }
    out.push(line);
  }
  if (!replaced) throw new Error('the answer has no IPv4 UDP candidate to move to the relay');
  return out.join('\r\n');
}

/** The target a relay forwards to: the first IPv4 UDP candidate of the answer, as it was. */
export function relayTarget(answerSdp: string): { address: string; port: number } {
  const line = answerSdp.split('\r\n').find(isIpv4Udp);
  if (!line) throw new Error('the answer has no IPv4 UDP candidate');
  const parts = line.split(' ');
  return { address: parts[4]!, port: Number(parts[5]) };
}

/** `a=candidate:… udp … <IPv4 address> <port> …` (the relay is an IPv4 socket). */
function isIpv4Udp(line: string): boolean {
  const parts = line.split(' ');
  return (
    line.startsWith('a=candidate:') && parts[2]?.toLowerCase() === 'udp' && /^\d+\.\d+\.\d+\.\d+$/.test(parts[4] ?? '')
  );
}

/** Replayable random numbers in [0, 1) from a seed (pure-rand's xoroshiro128+; its next() returns an int32). */
function seeded(seed: number): () => number {
  const generator = xoroshiro128plus(seed);
  return () => (generator.next() >>> 0) / 2 ** 32;
}
