/**
 * Connect latency in Chromium against the emulator: from start() to the data
 * channel open and to `session.created`, for the widget and for the bare
 * hand-written client (pages/bare.html), runs interleaved so drift hits both
 * alike. The same init script times both (pages/instrument.js), so the two
 * are measured the same way. Also the parts of the path: token, microphone,
 * offer, SDP exchange (which includes the emulator's own ICE gathering),
 * answer → open, and the browser's ICE gathering, which neither client waits
 * for; a third client, bare with `?gather=wait`, shows what waiting costs.
 */
import type { Page } from 'puppeteer-core';
import { withBrowserBench, type BenchWindow } from './browser.ts';
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

export async function benchConnect(results: Results): Promise<void> {
  await withBrowserBench('silence', async ({ stack, page }) => {
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
