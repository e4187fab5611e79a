/**
 * Connect latency in Chromium against the emulator: from start() to the data
 * channel open and to `session.created`, for the widget and for the bare
 * hand-written client (pages/bare.html), runs interleaved so drift hits both
 * alike. The same init script times both (pages/instrument.js), so the two
 * are measured the same way. Also the parts of the path: token, microphone,
 * offer, SDP exchange (which includes the emulator's own ICE gathering),
 * answer → open, and the browser's ICE gathering, which neither client waits
 * for; a third client, bare with `?gather=wait`, shows what waiting costs.
 * Last, the widget with every part on, clicked while its parts are still cold
 * (right after the page's load event) and once they are all in.
 */
import { build } from 'esbuild';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename } from 'node:path';
import type { Page } from 'puppeteer-core';
import { newInstrumentedPage, withBrowserBench, type BenchWindow } from './browser.ts';
import { log, median, putDistribution, ratio, round, type Results } from './results.ts';

const RUNS = 30;
const WAIT_GATHER_RUNS = 10;
const WARM_UP = 2;

interface Sample {
  dcOpen: number;
  sessionCreated: number;
  token?: number;
  microphone?: number;
  offerSent?: number;
  sdpExchange?: number;
  answerReceived?: number;
  remoteSet?: number;
  answerToOpen?: number;
  iceGathering?: number;
  remoteTrack?: number;
}

const CLIENTS = { widget: '/widget.html', bare: '/bare.html', bare_wait_gather: '/bare.html?gather=wait' } as const;
type Client = keyof typeof CLIENTS;

/** Starts the client on `url` (or on the page already loaded) and times its connect. */
export async function connectOnce(page: Page, url: string | undefined): Promise<Sample> {
  if (url) await page.goto(url, { waitUntil: 'load' });
  const ok = await page.evaluate(() => (window as unknown as BenchWindow).benchStart());
  if (!ok) throw new Error(`start() failed on ${url}`);
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.pcs[0]?.sessionCreated !== undefined, {
    timeout: 15_000,
    polling: 10,
  });
  const sample = await page.evaluate(() => {
    const bench = (window as unknown as BenchWindow).__bench;
    const pc = bench.pcs[0];
    const rel = (t: number | undefined) => (t === undefined ? undefined : t - bench.t0);
    const entries = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const token = entries.find((e) => e.name.endsWith('/token'));
    const calls = entries.find((e) => e.name.includes('/realtime/calls'));
    return {
      dcOpen: rel(pc.dcOpen)!,
      sessionCreated: rel(pc.sessionCreated)!,
      token: rel(token?.responseEnd),
      microphone: rel(bench.gum[0]?.end),
      offerSent: rel(calls?.startTime),
      sdpExchange: calls ? calls.responseEnd - calls.startTime : undefined,
      answerReceived: rel(calls?.responseEnd),
      remoteSet: rel(pc.setRemote),
      answerToOpen: pc.setRemote === undefined ? undefined : pc.dcOpen! - pc.setRemote,
      iceGathering: pc.gatheringComplete === undefined ? undefined : pc.gatheringComplete - pc.setLocalStart!,
      remoteTrack: rel(pc.remoteTrack),
    };
  });
  await page.evaluate(() => (window as unknown as BenchWindow).benchStop());
  return sample;
}

/** The token service's delay for the warm-up runs (a cloud token mint), and how long the pointer rests on the button before the click. */
const SLOW_TOKEN_MS = 300;
const HOVER_BEFORE_CLICK_MS = 300;
const WARM_RUNS = 10;

/**
 * One widget connect with a slow token service: cold (the click is the first the widget hears of the user),
 * or warmed (the pointer rests on the start button first, as a person's does, and the widget fetches the token then).
 */
async function connectSlowToken(page: Page, base: string, warm: boolean): Promise<Sample> {
  await page.goto(`${base}/widget.html?token_delay=${SLOW_TOKEN_MS}`, { waitUntil: 'load' });
  await page.evaluate(() => customElements.whenDefined('realtime-voice'));
  await page.mouse.move(0, 0);
  if (warm) {
    await page.hover('realtime-voice >>> [part~="button"]');
    await new Promise((done) => setTimeout(done, HOVER_BEFORE_CLICK_MS));
  }
  return connectOnce(page, undefined);
}

const PARTS_RUNS = 15;
const PART_FILES = ['call', 'meters', 'devices', 'transcript', 'layouts', 'controls'] as const;
/** The element parts pages/widget.html?parts turns on (the call part loads at the click either way). */
const ELEMENT_PART_FILE = /realtime-voice\.(meters|devices|transcript|layouts)\.js$/;

interface PartsServer {
  /** Base URL for `parts-url` (ends in /). */
  url: string;
  close(): Promise<void>;
}

/**
 * The parts built from src/ in this run, each a file of its own as in dist/ (realtime-voice.<name>.js; a part
 * imports nothing at run time, so each bundles alone), served from an origin of their own, as a CDN folder
 * would serve them (`parts-url`). The stack's /widget.js is one esbuild bundle with the parts inlined: without
 * `parts-url` nothing would be fetched.
 */
async function serveParts(): Promise<PartsServer> {
  const built = await build({
    entryPoints: Object.fromEntries(PART_FILES.map((name) => [`realtime-voice.${name}`, `src/parts/${name}.ts`])),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    outdir: 'parts',
    tsconfig: 'tsconfig.json',
  });
  const files = new Map(built.outputFiles.map((file) => [`/${basename(file.path)}`, file.text]));
  const server = createServer((req, res) => {
    const body = files.get(new URL(req.url ?? '/', 'http://parts').pathname);
    res.writeHead(body === undefined ? 404 : 200, {
      'content-type': 'text/javascript',
      'access-control-allow-origin': '*',
      'cache-control': 'no-store',
    });
    res.end(body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * One connect of the widget with every part on, on a fresh document (the page's cache is off): cold, start()
 * right after the load event, whatever parts are still on their way; warm, after `updateComplete` (every part in).
 * Also how many of the element parts were still arriving after the click.
 */
async function connectWithParts(
  page: Page,
  base: string,
  parts: string,
  warm: boolean,
): Promise<Sample & { pendingAtClick: number }> {
  await page.goto(`${base}/widget.html?parts=${encodeURIComponent(parts)}`, { waitUntil: 'load' });
  if (warm)
    await page.evaluate(async () => {
      await customElements.whenDefined('realtime-voice');
      await (document.querySelector('realtime-voice') as unknown as { updateComplete: Promise<boolean> })
        .updateComplete;
    });
  const sample = await connectOnce(page, undefined);
  const fetched = await page.evaluate((pattern) => {
    const t0 = (window as unknown as BenchWindow).__bench.t0;
    const files = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).filter((e) =>
      new RegExp(pattern).test(e.name),
    );
    return { count: files.length, pending: files.filter((e) => e.responseEnd > t0).length };
  }, ELEMENT_PART_FILE.source);
  if (fetched.count !== 4) throw new Error(`${fetched.count} of the 4 element parts came from the parts server`);
  return { ...sample, pendingAtClick: fetched.pending };
}

export async function benchConnect(results: Results): Promise<void> {
  await withBrowserBench('silence', async ({ stack, browser, page }) => {
    const samples: Record<Client, Sample[]> = { widget: [], bare: [], bare_wait_gather: [] };
    const order: Client[] = ['widget', 'bare', 'bare_wait_gather'];
    let failures = 0;
    for (let round = 0; round < WARM_UP + RUNS; round++) {
      // Rotate who goes first, so neither client always follows the other.
      const turn = round % 2 ? [...order].reverse() : order;
      for (const client of turn) {
        if (client === 'bare_wait_gather' && round >= WARM_UP + WAIT_GATHER_RUNS) continue;
        let sample: Sample;
        try {
          sample = await connectOnce(page, `${stack.url}${CLIENTS[client]}`);
        } catch (error) {
          // Counted, and the run goes on (after an emulator crash, once it is back).
          log(`connect: ${client} failed: ${(error as Error).message.split('\n')[0]}`);
          failures++;
          await stack.emulator.ready();
          continue;
        }
        if (round >= WARM_UP) samples[client].push(sample);
      }
      if ((round + 1) % 5 === 0) log(`connect: ${round + 1}/${WARM_UP + RUNS} rounds`);
    }
    // Token prefetch on hover/focus, with a token service as slow as a cloud one: cold vs warmed clicks, interleaved.
    const slow: Record<'cold' | 'warm', Sample[]> = { cold: [], warm: [] };
    for (let round = 0; round < WARM_UP + WARM_RUNS; round++) {
      for (const kind of round % 2 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const)) {
        try {
          const sample = await connectSlowToken(page, stack.url, kind === 'warm');
          if (round >= WARM_UP) slow[kind].push(sample);
        } catch (error) {
          log(`connect: slow token, ${kind}, failed: ${(error as Error).message.split('\n')[0]}`);
          failures++;
          await stack.emulator.ready();
        }
      }
    }
    const slowPick = (kind: 'cold' | 'warm') => slow[kind].map((s) => s.dcOpen);
    putDistribution(results, 'connect_slow_token_dc_open_ms_widget_cold', slowPick('cold'));
    putDistribution(results, 'connect_slow_token_dc_open_ms_widget_warm', slowPick('warm'));
    results.connect_slow_token_delay_ms = SLOW_TOKEN_MS;
    results.connect_hover_before_click_ms = HOVER_BEFORE_CLICK_MS;
    results.connect_slow_token_warm_vs_cold_ratio = ratio(median(slowPick('warm')), median(slowPick('cold')));

    // Every part on: the click while the parts are cold vs once they are in, interleaved, on a page without cache.
    const partsServer = await serveParts();
    const partsPage = await newInstrumentedPage(browser);
    const withParts: Record<'cold' | 'warm', Array<Sample & { pendingAtClick: number }>> = { cold: [], warm: [] };
    try {
      await partsPage.setCacheEnabled(false);
      for (let round = 0; round < WARM_UP + PARTS_RUNS; round++) {
        for (const kind of round % 2 ? (['warm', 'cold'] as const) : (['cold', 'warm'] as const)) {
          try {
            const sample = await connectWithParts(partsPage, stack.url, partsServer.url, kind === 'warm');
            if (round >= WARM_UP) withParts[kind].push(sample);
          } catch (error) {
            log(`connect: every part on, ${kind}, failed: ${(error as Error).message.split('\n')[0]}`);
            failures++;
            await stack.emulator.ready();
          }
        }
      }
    } finally {
      await partsPage.close();
      await partsServer.close();
    }
    const partsPick = (kind: 'cold' | 'warm') => withParts[kind].map((s) => s.dcOpen);
    putDistribution(results, 'connect_parts_cold_dc_open_ms', partsPick('cold'));
    putDistribution(results, 'connect_parts_warm_dc_open_ms', partsPick('warm'));
    results.connect_parts_cold_vs_warm_ratio = ratio(median(partsPick('cold')), median(partsPick('warm')));
    // Of the 4 element parts, how many were still arriving after a cold click (mean): 0 means the load event came after them all.
    results.connect_parts_cold_pending_at_click_mean = round(
      withParts.cold.reduce((n, s) => n + s.pendingAtClick, 0) / withParts.cold.length,
    );
    results.connect_parts_runs = PARTS_RUNS;

    const pick = (client: Client, key: keyof Sample) =>
      samples[client].map((s) => s[key]).filter((v): v is number => typeof v === 'number');
    for (const client of ['widget', 'bare'] as const) {
      putDistribution(results, `connect_dc_open_ms_${client}`, pick(client, 'dcOpen'));
      putDistribution(results, `connect_session_created_ms_${client}`, pick(client, 'sessionCreated'));
    }
    results.connect_dc_open_widget_vs_bare_ratio = ratio(
      median(pick('widget', 'dcOpen')),
      median(pick('bare', 'dcOpen')),
    );
    results.connect_session_created_widget_vs_bare_ratio = ratio(
      median(pick('widget', 'sessionCreated')),
      median(pick('bare', 'sessionCreated')),
    );
    putDistribution(results, 'connect_dc_open_ms_bare_wait_gather', pick('bare_wait_gather', 'dcOpen'));
    // Where the time goes (medians, ms from start()).
    for (const client of ['widget', 'bare', 'bare_wait_gather'] as const) {
      results[`connect_token_done_ms_${client}_median`] = round(median(pick(client, 'token')));
      results[`connect_microphone_done_ms_${client}_median`] = round(median(pick(client, 'microphone')));
      results[`connect_offer_sent_ms_${client}_median`] = round(median(pick(client, 'offerSent')));
      results[`connect_sdp_exchange_ms_${client}_median`] = round(median(pick(client, 'sdpExchange')));
      results[`connect_answer_received_ms_${client}_median`] = round(median(pick(client, 'answerReceived')));
      results[`connect_remote_description_set_ms_${client}_median`] = round(median(pick(client, 'remoteSet')));
      results[`connect_answer_to_dc_open_ms_${client}_median`] = round(median(pick(client, 'answerToOpen')));
      results[`connect_ice_gathering_ms_${client}_median`] = round(median(pick(client, 'iceGathering')));
    }
    results.connect_runs = RUNS;
    results.connect_failures = failures;
    results.connect_emulator_crashes = stack.emulator.crashes;
  });
}
