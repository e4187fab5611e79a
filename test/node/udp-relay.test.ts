// The impairment relay (test/support/udp-relay.ts) between two real UDP sockets on loopback: what each
// impairment does to datagrams, measured, and that the relay ends (blackouts, lifetime, close) cleanly.
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { after, test } from 'node:test';
import { UdpRelay, relayTarget, throughRelay } from '../support/udp-relay.ts';

/** An echo server (the "emulator") and a client socket, with what the client got back and when. */
async function pair() {
  const echo = createSocket('udp4');
  echo.on('message', (data, from) => echo.send(data, from.port, from.address));
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', () => resolve()));
  const client = createSocket('udp4');
  await new Promise<void>((resolve) => client.bind(0, '127.0.0.1', () => resolve()));
  const got: Array<{ n: number; rttMs: number; order: number }> = [];
  const sentAt = new Map<number, number>();
  client.on('message', (data) => {
    const n = data.readUInt32BE(0);
    got.push({ n, rttMs: performance.now() - sentAt.get(n)!, order: got.length });
  });
  const sockets: Socket[] = [echo, client];
  return {
    target: { address: '127.0.0.1', port: echo.address().port },
    got,
    /** Sends `count` numbered datagrams of `bytes` to the relay, one every `everyMs`. */
    async send(relay: UdpRelay, count: number, everyMs = 1, bytes = 200, from = 0) {
      for (let i = from; i < from + count; i++) {
        const data = Buffer.alloc(bytes);
        data.writeUInt32BE(i, 0);
        sentAt.set(i, performance.now());
        client.send(data, relay.port, '127.0.0.1');
        // A pause every few datagrams even at full speed: a socket's receive buffer holds a few hundred
        // small datagrams, and losses of our own would blur what the relay does.
        if (everyMs) await new Promise((r) => setTimeout(r, everyMs));
        else if (i % 10 === 9) await new Promise((r) => setImmediate(r));
      }
    },
    close: () => sockets.forEach((s) => s.close()),
  };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const relays: UdpRelay[] = [];
after(() => relays.forEach((r) => r.close()));
async function relay(target: { address: string; port: number }, seed = 7) {
  const r = await UdpRelay.start(target, { seed, lifetimeMs: 60_000 });
  relays.push(r);
  return r;
}

test('a perfect path forwards every datagram both ways; loss of 15 % each way loses about 28 % of round trips', async () => {
  const p = await pair();
  const r = await relay(p.target);
  await p.send(r, 300, 0);
  await settle(100);
  assert.equal(p.got.length, 300);
  assert.deepEqual(r.stats.up, { received: 300, forwarded: 300, lost: 0, overflowed: 0, blackedOut: 0 });

  p.got.length = 0;
  r.impair({ loss: 0.15 });
  await p.send(r, 2000, 0, 200, 1000);
  await settle(150);
  const upLoss = r.stats.up.lost / (r.stats.up.received - 300);
  assert.ok(upLoss > 0.12 && upLoss < 0.18, `up loss ${upLoss}`);
  const delivered = p.got.length / 2000;
  // Both ways: 0.85² = 0.72 of the round trips survive.
  assert.ok(delivered > 0.68 && delivered < 0.76, `delivered ${delivered}`);
  p.close();
});

test('bursty loss comes in runs: the same loss rate as random loss, in far fewer, longer gaps', async () => {
  const p = await pair();
  const r = await relay(p.target, 11);
  r.impair({ burst: { enter: 0.02, leave: 0.25 } }, 'up');
  await p.send(r, 3000, 0);
  await settle(150);
  const seen = new Set(p.got.map((g) => g.n));
  let gaps = 0;
  let lost = 0;
  for (let i = 0; i < 3000; i++) {
    if (seen.has(i)) continue;
    lost++;
    if (seen.has(i - 1) || i === 0) gaps++;
  }
  const meanRun = lost / gaps;
  // A burst lasts 1/leave = 4 datagrams on average; random loss at this rate would give runs of ~1.
  assert.ok(meanRun > 2.5, `mean run of losses ${meanRun.toFixed(2)} (${lost} lost in ${gaps} gaps)`);
  assert.ok(lost / 3000 > 0.03 && lost / 3000 < 0.15, `lost ${lost}`);
  p.close();
});

test('150 ms ± 50 ms each way: round trips between 200 and 400 ms, and datagrams overtake each other', async () => {
  const p = await pair();
  const r = await relay(p.target);
  r.impair({ delayMs: 150, jitterMs: 50 });
  await p.send(r, 200, 2);
  await settle(500);
  assert.equal(p.got.length, 200);
  const rtts = p.got.map((g) => g.rttMs).sort((a, b) => a - b);
  // Never early; late only by what a loaded machine's timers add (the 90th percentile, not the maximum).
  assert.ok(
    rtts[0]! >= 195 && rtts[180]! <= 430,
    `round trips ${rtts[0]!.toFixed(0)}–${rtts[180]!.toFixed(0)} ms (p90)`,
  );
  const median = rtts[100]!;
  assert.ok(median > 270 && median < 330, `median ${median.toFixed(0)} ms`);
  const outOfOrder = p.got.filter((g, i) => i > 0 && g.n < p.got[i - 1]!.n).length;
  assert.ok(outOfOrder > 10, `${outOfOrder} overtaken`);
  p.close();
});

test('a bandwidth cap paces datagrams at its rate and drops what would queue too long', async () => {
  const p = await pair();
  const r = await relay(p.target);
  // 80 kbit/s: a 1000-byte datagram takes 100 ms; 30 sent at once queue for up to 300 ms, the rest is dropped.
  r.impair({ bandwidthKbps: 80, queueMs: 300 }, 'up');
  const start = performance.now();
  await p.send(r, 30, 0, 1000);
  await settle(600);
  const arrived = p.got.length;
  assert.ok(arrived >= 3 && arrived <= 5, `${arrived} of 30 through a 300 ms queue at 100 ms each`);
  assert.equal(r.stats.up.overflowed, 30 - r.stats.up.forwarded);
  const last = Math.max(...p.got.map((g) => g.rttMs));
  assert.ok(last >= 280 && last < performance.now() - start, `last after ${last.toFixed(0)} ms`);
  p.close();
});

test('a blackout drops everything both ways for its time, then the path works again', async () => {
  const p = await pair();
  const r = await relay(p.target);
  r.blackout(300);
  assert.equal(r.blackedOut, true);
  await p.send(r, 50, 2);
  await settle(50);
  assert.equal(p.got.length, 0);
  await settle(300);
  assert.equal(r.blackedOut, false);
  await p.send(r, 20, 0, 200, 100);
  await settle(100);
  assert.equal(p.got.length, 20);
  assert.ok(r.stats.up.blackedOut >= 40);
  p.close();
});

test('the same seed loses the same datagrams (a run can be replayed)', async () => {
  const lostWith = async (seed: number) => {
    const p = await pair();
    const r = await relay(p.target, seed);
    r.impair({ loss: 0.3 }, 'up');
    await p.send(r, 200, 0);
    await settle(100);
    const seen = new Set(p.got.map((g) => g.n));
    p.close();
    r.close();
    return [...Array(200).keys()].filter((i) => !seen.has(i)).join(',');
  };
  assert.equal(await lostWith(5), await lostWith(5));
  assert.notEqual(await lostWith(5), await lostWith(6));
});

test('loopback only; close() and the lifetime end it, with nothing pending', async () => {
  await assert.rejects(UdpRelay.start({ address: '10.0.0.1', port: 9 }), /loopback only/);
  const p = await pair();
  const short = await UdpRelay.start(p.target, { lifetimeMs: 100 });
  short.impair({ delayMs: 1000 });
  await p.send(short, 5, 0);
  await settle(250);
  // Closed by its lifetime: the delayed datagrams never arrive, and sending to it is no error.
  await settle(900);
  assert.equal(p.got.length, 0);
  p.close();
});

test('throughRelay moves the answer to one IPv4 candidate on the relay (not ::1); relayTarget reads where it was', () => {
  const answer = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    't=0 0',
    'm=audio 40001 UDP/TLS/RTP/SAVPF 111',
    'c=IN IP4 192.168.1.5',
    'a=candidate:0 1 udp 2122136831 ::1 40000 typ host generation 0',
    'a=candidate:1 1 udp 2122260223 192.168.1.5 40001 typ host generation 0',
    'a=candidate:2 1 udp 2122194687 127.0.0.1 40002 typ host generation 0',
    'a=candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype passive generation 0',
    'a=end-of-candidates',
    '',
  ].join('\r\n');
  assert.deepEqual(relayTarget(answer), { address: '192.168.1.5', port: 40001 });
  const moved = throughRelay(answer, 5555);
  const candidates = moved.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
  assert.deepEqual(candidates, ['a=candidate:1 1 udp 2122260223 127.0.0.1 5555 typ host generation 0']);
  assert.match(moved, /c=IN IP4 127\.0\.0\.1/);
  assert.throws(() => throughRelay('v=0\r\n', 1), /no IPv4 UDP candidate/);
});
