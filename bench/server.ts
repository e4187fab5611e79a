/**
 * The reference server's /token and /connect on loopback with autocannon,
 * each against the upstream stand-in (test/node/support/upstream-standin.ts)
 * hit directly as the baseline, with the server's resident memory before and
 * after 10,000 /token requests (and 5,000 /connect). Server and stand-in run in their own processes, so
 * the load generator does not steal their event loop (a second 10,000 /token
 * shows whether RSS keeps growing or has settled); on a 2-core machine
 * the three still share the cores. A second baseline for /token is the
 * smallest possible token route (support/minimal-proxy-process.ts): what a
 * proxy hop costs at all, against what this server adds to it. Its upstream
 * POST is fetch's; the server's is undici's request() (server/src/providers/
 * upstream-post.ts), which costs less a request than fetch's, so a ratio near
 * 1 says the server's own layers (Express, helmet, the limiter, validation)
 * cost about what it saves there, not that they cost nothing.
 */
import autocannon from 'autocannon';
import { fork, type ChildProcess } from 'node:child_process';
import { log, median, ratio, round, type Results } from './results.ts';

const REQUESTS = 10_000;
/** /connect is slower (two upstream requests each): fewer, to keep the whole bench within minutes. */
const CONNECT_REQUESTS = 5_000;
const WARM_UP = 500;
/** The minimal proxy baseline only needs a throughput figure: rounds of this many, each beside a /token run as long. */
const MINIMAL_PROXY_REQUESTS = 5_000;
const PAIRED_ROUNDS = 3;
const CONNECTIONS = 10;
/** autocannon's sample tick, which is also when a run of `amount` requests notices it is done. */
const SAMPLE_MS = 100;
/** Hard stop for one run, whatever the count reached. */
const RUN_LIMIT_MS = 45_000;

/** A Chrome-shaped audio + data channel offer, as the widget posts it. */
const OFFER = [
  'v=0',
  'o=- 4611731400430051336 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=extmap-allow-mixed',
  'a=msid-semantic: WMS stream',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126',
  'c=IN IP4 0.0.0.0',
  'a=rtcp:9 IN IP4 0.0.0.0',
  'a=ice-ufrag:bnch',
  'a=ice-pwd:benchbenchbenchbenchbench',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:79:F2',
  'a=setup:actpass',
  'a=mid:0',
  'a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  'a=sendrecv',
  'a=msid:stream track',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=rtpmap:0 PCMU/8000',
  'a=rtpmap:8 PCMA/8000',
  'a=rtpmap:13 CN/8000',
  'a=rtpmap:110 telephone-event/48000',
  'a=rtpmap:126 telephone-event/8000',
  'a=ssrc:1111111111 cname:benchbenchbench',
  'a=ssrc:1111111111 msid:stream track',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'c=IN IP4 0.0.0.0',
  'a=ice-ufrag:bnch',
  'a=ice-pwd:benchbenchbenchbenchbench',
  'a=ice-options:trickle',
  'a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:79:F2',
  'a=setup:actpass',
  'a=mid:1',
  'a=sctp-port:5000',
  'a=max-message-size:262144',
  '',
].join('\r\n');

function child(
  script: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ process: ChildProcess; base: string; token?: string }> {
  const proc = fork(script, [], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (message: { base: string; token?: string }) =>
      resolve({ process: proc, base: message.base, token: message.token }),
    );
    proc.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

function memoryOf(proc: ChildProcess): Promise<Memory> {
  return new Promise((resolve) => {
    proc.once('message', (message: Memory) => resolve(message));
    proc.send('rss');
  });
}

/** Completed requests per second of the whole run (autocannon's own average is over whole-second buckets, which rounds short runs badly). */
function rps(result: autocannon.Result): number {
  return round(result.requests.total / result.duration, 0);
}

/** `<route>_rps`, `_p50_ms`, `_p99_ms`, `_requests` and `_non_2xx` (errors included) of one route's load run. */
function putLoad(results: Results, route: string, result: autocannon.Result): void {
  results[`${route}_rps`] = rps(result);
  results[`${route}_p50_ms`] = result.latency.p50;
  results[`${route}_p99_ms`] = result.latency.p99;
  results[`${route}_requests`] = result.requests.total;
  results[`${route}_non_2xx`] = result.non2xx + result.errors;
}

function load(url: string, headers: Record<string, string>, body: string, amount: number): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      // autocannon ends a run at its next sample tick (1 s by default), so a run's duration, and every
      // rate from it, came in whole seconds: 5,000 requests done in 2.1 s counted as 3 s. 100 ms ticks.
      { url, method: 'POST', headers, body, connections: CONNECTIONS, amount, timeout: 10, sampleInt: SAMPLE_MS },
      (error, result) => {
        clearTimeout(limit);
        if (error) reject(error);
        else resolve(result);
      },
    );
    const limit = setTimeout(() => instance.stop(), RUN_LIMIT_MS);
  });
}

export async function benchServer(results: Results): Promise<void> {
  const upstream = await child('bench/support/standin-process.ts');
  const server = await child('bench/support/server-process.ts', { UPSTREAM_BASE: upstream.base });
  const minimal = await child('bench/support/minimal-proxy-process.ts', { UPSTREAM_BASE: upstream.base });
  const signedIn = await child('bench/support/server-process.ts', { UPSTREAM_BASE: upstream.base, BENCH_AUTH: 'jwt' });
  try {
    const json = { 'content-type': 'application/json' };
    const tokenBody = JSON.stringify({ voice: 'marin' });
    const secretsDirect = () =>
      load(
        `${upstream.base}/v1/realtime/client_secrets`,
        { ...json, authorization: 'Bearer sk-bench' },
        JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime', audio: { output: { voice: 'marin' } } } }),
        REQUESTS,
      );
    const callsDirect = () =>
      load(
        `${upstream.base}/v1/realtime/calls`,
        { 'content-type': 'application/sdp', authorization: 'Bearer ek_bench' },
        OFFER,
        CONNECT_REQUESTS,
      );

    log('server: warm-up');
    await load(`${server.base}/token`, json, tokenBody, WARM_UP);
    await load(`${server.base}/connect`, { 'content-type': 'application/sdp' }, OFFER, WARM_UP);
    const rssBefore = await memoryOf(server.process);

    log('server: stand-in direct (client_secrets), then /token');
    const direct = await secretsDirect();
    const token = await load(`${server.base}/token`, json, tokenBody, REQUESTS);
    const rssAfterToken = await memoryOf(server.process);
    // Bounded or growing: 10,000 more requests, and the memory again.
    await load(`${server.base}/token`, json, tokenBody, REQUESTS);
    const rssAfterSecond = await memoryOf(server.process);
    log('server: /token with AUTH_MODE=jwt (an RS256 sign-in token verified on every request)');
    const jwtHeaders = { ...json, authorization: `Bearer ${signedIn.token}` };
    await load(`${signedIn.base}/token`, jwtHeaders, tokenBody, WARM_UP);
    const tokenJwt = await load(`${signedIn.base}/token`, jwtHeaders, tokenBody, REQUESTS);
    log(`server: /token and the minimal token proxy, ${PAIRED_ROUNDS} rounds in turn`);
    // In turn, so that load from outside (this machine is shared) falls on both alike: each round's
    // ratio is of two runs a few seconds apart, and the figure is the median round.
    await load(`${minimal.base}/`, json, tokenBody, WARM_UP);
    const pairs: Array<{ token: number; minimal: number }> = [];
    let minimalProxy: autocannon.Result | undefined;
    for (let round = 0; round < PAIRED_ROUNDS; round++) {
      const ours = await load(`${server.base}/token`, json, tokenBody, MINIMAL_PROXY_REQUESTS);
      minimalProxy = await load(`${minimal.base}/`, json, tokenBody, MINIMAL_PROXY_REQUESTS);
      pairs.push({ token: rps(ours), minimal: rps(minimalProxy) });
    }
    log('server: stand-in direct (calls), then /connect');
    const directCalls = await callsDirect();
    const connect = await load(
      `${server.base}/connect`,
      { 'content-type': 'application/sdp' },
      OFFER,
      CONNECT_REQUESTS,
    );
    const rssAfterConnect = await memoryOf(server.process);

    results.upstream_direct_rps = rps(direct);
    results.upstream_direct_p50_ms = direct.latency.p50;
    results.upstream_direct_p99_ms = direct.latency.p99;
    putLoad(results, 'token', token);
    results.token_vs_direct_rps_ratio = ratio(rps(token), rps(direct));
    // The same server with AUTH_MODE=none (the run above) and jwt, one after the other in this run.
    results.token_rps_auth_none = rps(token);
    results.token_rps_auth_jwt = rps(tokenJwt);
    results.token_p99_ms_auth_jwt = tokenJwt.latency.p99;
    results.token_non_2xx_auth_jwt = tokenJwt.non2xx + tokenJwt.errors;
    results.token_auth_jwt_vs_none_rps_ratio = ratio(rps(tokenJwt), rps(token));
    results.minimal_proxy_rps = round(median(pairs.map((p) => p.minimal)), 0);
    results.minimal_proxy_p99_ms = minimalProxy!.latency.p99;
    results.token_vs_minimal_proxy_rps_ratio = round(median(pairs.map((p) => p.token / p.minimal)), 2);
    results.token_vs_minimal_proxy_rounds = pairs.map((p) => `${p.token}/${p.minimal}`).join(' ');
    results.upstream_direct_calls_rps = rps(directCalls);
    results.upstream_direct_calls_p99_ms = directCalls.latency.p99;
    putLoad(results, 'connect', connect);
    // /connect makes two upstream requests (client_secrets, then calls) for each of its own.
    results.connect_vs_direct_calls_rps_ratio = ratio(rps(connect), rps(directCalls));
    results.server_rss_before_bytes = rssBefore.rss;
    results.server_rss_growth_bytes = rssAfterToken.rss - rssBefore.rss;
    results.server_heap_growth_bytes = rssAfterToken.heapUsed - rssBefore.heapUsed;
    // Where RSS goes: the heap V8 reserved (its young generation grows under load and stays grown), external memory.
    results.server_heap_reserved_growth_bytes = rssAfterToken.heapTotal - rssBefore.heapTotal;
    results.server_external_growth_bytes = rssAfterToken.external - rssBefore.external;
    results.server_rss_growth_second_10k_bytes = rssAfterSecond.rss - rssAfterToken.rss;
    results.server_rss_growth_after_connect_bytes = rssAfterConnect.rss - rssBefore.rss;
    results.server_requests_per_run = REQUESTS;
    results.connect_requests_per_run = CONNECT_REQUESTS;
    results.server_connections = CONNECTIONS;
  } finally {
    server.process.kill();
    signedIn.process.kill();
    minimal.process.kill();
    upstream.process.kill();
  }
}
