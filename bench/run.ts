/**
 * `npm run bench`: what users pay for, measured against baselines in the same
 * run (these machines are noisy), printed as a table and written to
 * bench/results.json. Benchmarks report; they never fail on a number.
 *
 * Measured so far: bundle sizes (vs a minimal Lit element built here, and the
 * published figures of the widgets people pick instead), and the reference
 * server's /token throughput and latency on loopback against a local stand-in
 * of the upstream API (vs calling the stand-in directly), with its memory
 * before and after 10,000 requests. Browser latencies (connect, turn) and
 * leak cycles are still to come.
 */
import autocannon from 'autocannon';
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { createApp } from '../server/src/app.ts';
import { loadConfig } from '../server/src/config.ts';
import { createProvider } from '../server/src/providers/index.ts';
import { UpstreamStandIn } from '../test/node/support/upstream-standin.ts';

/** Gzip figures of the alternatives, measured elsewhere (issue 8). */
const PUBLISHED_GZIP_KB = { elevenlabs_convai_embed: 191, openai_agents_realtime: 353, vapi_widget: 184 };
const REQUESTS = 10_000;

const results: Record<string, number | string> = {};

async function sizes(): Promise<void> {
  if (!existsSync('dist/realtime-voice.bundle.js')) execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const bundle = readFileSync('dist/realtime-voice.bundle.js');
  const esm = readFileSync('dist/realtime-voice.js');
  results.bundle_raw_bytes = bundle.length;
  results.bundle_gzip_bytes = gzipSync(bundle, { level: 9 }).length;
  results.bundle_brotli_bytes = brotliCompressSync(bundle).length;
  // The ESM build is left unminified for bundlers; measured minified, as a bundler would ship it.
  const esmMinified = (await build({ stdin: { contents: esm.toString(), loader: 'js' }, minify: true, write: false, format: 'esm', target: 'es2022' })).outputFiles[0]!.contents;
  results.esm_gzip_bytes = gzipSync(esmMinified, { level: 9 }).length;
  // Baseline built in this run: the smallest useful Lit element, bundled and minified the same way.
  const minimal = await build({
    stdin: { contents: "import {LitElement,html,css} from 'lit';class X extends LitElement{static styles=css`:host{display:block}`;render(){return html`<button>hi</button>`}}customElements.define('x-min',X);", resolveDir: process.cwd(), loader: 'js' },
    bundle: true, minify: true, write: false, format: 'esm', target: 'es2022',
  });
  results.minimal_lit_element_gzip_bytes = gzipSync(minimal.outputFiles[0]!.contents, { level: 9 }).length;
  results.bundle_vs_minimal_lit_ratio = round(Number(results.bundle_gzip_bytes) / Number(results.minimal_lit_element_gzip_bytes), 2);
  for (const [name, kb] of Object.entries(PUBLISHED_GZIP_KB)) results[`published_${name}_gzip_bytes`] = kb * 1024;
}

async function server(): Promise<void> {
  const upstream = new UpstreamStandIn();
  const upstreamBase = await upstream.start();
  const config = loadConfig({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: `${upstreamBase}/v1`, RATE_LIMIT_MAX: String(REQUESTS * 10) });
  const app = createApp(config, { provider: createProvider(config), logger: pino({ level: 'silent' }) });
  const http = createServer(app);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const body = JSON.stringify({ voice: 'marin' });
  const run = (url: string, headers: Record<string, string>, payload: string) =>
    autocannon({ url, method: 'POST', headers, body: payload, connections: 10, amount: REQUESTS, timeout: 10 });

  // Warm-up, then the stand-in alone (the floor), then the server in front of it.
  await run(`${base}/token`, { 'content-type': 'application/json' }, body);
  upstream.requests.length = 0;
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const direct = await run(`${upstreamBase}/v1/realtime/client_secrets`, { 'content-type': 'application/json', authorization: 'Bearer sk-bench' }, JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime' } }));
  upstream.requests.length = 0;
  const token = await run(`${base}/token`, { 'content-type': 'application/json' }, body);
  upstream.requests.length = 0;
  global.gc?.();
  const rssAfter = process.memoryUsage().rss;

  results.upstream_direct_rps = round(direct.requests.average, 0);
  results.upstream_direct_p99_ms = direct.latency.p99;
  results.token_rps = round(token.requests.average, 0);
  results.token_p50_ms = token.latency.p50;
  results.token_p99_ms = token.latency.p99;
  results.token_non_2xx = token.non2xx;
  results.token_vs_direct_rps_ratio = round(token.requests.average / direct.requests.average, 2);
  results.server_rss_growth_bytes = rssAfter - rssBefore;
  results.server_requests_per_run = REQUESTS;
  http.closeAllConnections();
  http.close();
  await upstream.stop();
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

await sizes();
await server();
results.date = new Date().toISOString();
results.machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
mkdirSync('bench', { recursive: true });
writeFileSync('bench/results.json', `${JSON.stringify(results, null, 2)}\n`);
const width = Math.max(...Object.keys(results).map((k) => k.length));
for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(width)}  ${value}`);
process.exit(0);
