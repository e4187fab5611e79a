/**
 * Leaks and the cost of many widgets, in Chromium against the emulator:
 *
 * - 100 start/stop cycles of one widget, and of the bare client as the
 *   baseline: JS heap (after full GCs, CDP) and the live peer connections,
 *   media tracks, audio contexts and workers (pages/instrument.js) before and
 *   after. Everything must be back where it started. The widget runs with
 *   meters and its built parts, so each call's bars get their drawing worker.
 * - In Chromium, that heap growth split by what keeps it, from a heap snapshot
 *   taken with each heap figure (heap-snapshot-diff.ts): V8's compiled code
 *   (optimized code, bytecode, feedback) and the rest. The widget's code keeps
 *   growing for hundreds of cycles: each of its functions is optimized once it
 *   has run often enough, and most run a few times a call. The bare client's
 *   page has hardly any code. That is all of the difference between the two
 *   (issue 18): after 400 warm-up cycles (BENCH_LEAK_WARM_UP), or with V8's
 *   JIT off, the widget's heap grows as little as the bare client's; the
 *   element's own objects do not grow at all (bench/heap-snapshot.ts shows how).
 * - 10 widgets on one page: heap per idle widget; all ten started at once
 *   vs one alone; everything released after they stop.
 */
import type { CDPSession, Page } from 'puppeteer-core';
import {
  heapAfterGc,
  liveObjects,
  sleep,
  withBrowserBench,
  withBuiltParts,
  type BenchWindow,
  type Live,
  type Stack,
} from './browser.ts';
import { COMPILED_CODE, parseSnapshot, takeHeapSnapshot, v8HeapByKind } from './heap-snapshot-diff.ts';
import { log, ratio, round, type Results } from './results.ts';

const CYCLES = Number(process.env.BENCH_LEAK_CYCLES ?? 100);
/** Warm-up cycles before the "before" figures: lazy setup happens there (V8's JIT goes on far longer, see below). */
const WARM_UP = Number(process.env.BENCH_LEAK_WARM_UP ?? 10);
const WIDGETS = 10;

interface CycleReport {
  heapGrowth: number;
  /** Of it, V8's compiled code (NaN without the snapshots). */
  heapGrowthCode: number;
  before: Live;
  after: Live;
  leftovers: { audioElements: number; pendingTimers: number };
  msPerCycle: number;
  failedStarts: number;
}

async function leftovers(page: Page): Promise<{ audioElements: number; pendingTimers: number }> {
  return page.evaluate(() => {
    const widgets = [...document.querySelectorAll('realtime-voice')] as Array<
      HTMLElement & { session: { pendingTimers: number } }
    >;
    const inShadows = widgets.reduce((n, el) => n + (el.shadowRoot?.querySelectorAll('audio').length ?? 0), 0);
    return {
      audioElements: document.querySelectorAll('audio').length + inShadows,
      pendingTimers: widgets.reduce((n, el) => n + el.session.pendingTimers, 0),
    };
  });
}

/** V8's compiled code in the page's heap after full GCs, from a heap snapshot. */
async function compiledCode(cdp: CDPSession): Promise<number> {
  return v8HeapByKind(parseSnapshot((await takeHeapSnapshot(cdp)).text)).get(COMPILED_CODE) ?? 0;
}

/** One start and stop of the page's client; false if the start failed. */
export function benchCycle(page: Page): Promise<boolean> {
  return page.evaluate(async () => {
    const w = window as unknown as BenchWindow;
    try {
      return await w.benchStart();
    } catch {
      return false;
    } finally {
      w.benchStop();
    }
  });
}

/** `snapshots`: also split the heap growth (Chromium only: CDP's heap profiler). */
export async function cycles(page: Page, stack: Stack, url: string, snapshots = false): Promise<CycleReport> {
  await page.goto(url, { waitUntil: 'load' });
  const cycle = async () => {
    const ok = await benchCycle(page);
    if (!ok) await stack.emulator.ready(); // after an emulator crash, its restart
    return ok;
  };
  for (let i = 0; i < WARM_UP; i++) await cycle();
  const before = await settledObjects(page);
  const heapBefore = await heapAfterGc(page);
  const profiler = snapshots ? await page.createCDPSession() : undefined;
  await profiler?.send('HeapProfiler.enable');
  const codeBefore = profiler ? await compiledCode(profiler) : Number.NaN;
  const t0 = performance.now();
  let failed = 0;
  for (let i = 0; i < CYCLES; i++) if (!(await cycle())) failed++;
  const msPerCycle = (performance.now() - t0) / CYCLES;
  if (failed) log(`leaks: ${failed} of ${CYCLES} starts failed on ${url}`);
  await sleep(1000);
  const heapAfter = await heapAfterGc(page);
  const codeAfter = profiler ? await compiledCode(profiler) : Number.NaN;
  await profiler?.detach();
  return {
    heapGrowth: heapAfter - heapBefore,
    heapGrowthCode: codeAfter - codeBefore,
    before,
    after: await settledObjects(page),
    leftovers: await leftovers(page),
    msPerCycle,
    failedStarts: failed,
  };
}

/** What is left after the cycles, widget and bare client; `prefix` names the engine (Chromium's keys have none). */
export function putLeakFigures(results: Results, prefix: string, widget: CycleReport, bare: CycleReport): void {
  results[`${prefix}leaked_peer_connections`] = widget.after.pcs - widget.before.pcs;
  results[`${prefix}leaked_tracks`] = widget.after.tracks - widget.before.tracks;
  results[`${prefix}leaked_audio_contexts`] = widget.after.contexts - widget.before.contexts;
  results[`${prefix}leaked_workers`] = widget.after.workers - widget.before.workers;
  results[`${prefix}leak_workers_created`] = widget.after.createdWorkers - widget.before.createdWorkers;
  results[`${prefix}leaked_audio_elements`] = widget.leftovers.audioElements;
  results[`${prefix}leaked_timers`] = widget.leftovers.pendingTimers;
  results[`${prefix}leaked_peer_connections_bare`] = bare.after.pcs - bare.before.pcs;
  results[`${prefix}leaked_tracks_bare`] = bare.after.tracks - bare.before.tracks;
  results[`${prefix}leak_cycle_ms_widget`] = round(widget.msPerCycle);
  results[`${prefix}leak_cycle_ms_bare`] = round(bare.msPerCycle);
  results[`${prefix}leak_failed_starts_widget`] = widget.failedStarts;
  results[`${prefix}leak_failed_starts_bare`] = bare.failedStarts;
}

export async function benchLeaks(results: Results): Promise<void> {
  await withBrowserBench('silence', async ({ stack, page }) => {
    log(`leaks: ${CYCLES} start/stop cycles, widget`);
    // With meters: the shared AudioContext must be closed again after every call, too.
    // The built parts, as a site has them: the meters' bars then draw in a worker of each call, which must end with it.
    const widget = await cycles(page, stack, `${stack.url}${withBuiltParts('/widget.html?meters')}`, true);
    log(`leaks: ${CYCLES} start/stop cycles, bare client`);
    const bare = await cycles(page, stack, `${stack.url}/bare.html`, true);
    // Without meters (no AudioContext, no analysers): tells the meters' share of the heap growth.
    log(`leaks: ${CYCLES} start/stop cycles, widget without meters`);
    const plain = await cycles(page, stack, `${stack.url}/widget.html`, true);
    results.heap_growth_bytes_widget_plain = plain.heapGrowth;
    // Of each growth, V8's compiled code: what is left is the page's objects (and the bench's records of its calls).
    results.heap_growth_bytes_compiled_code = widget.heapGrowthCode;
    results.heap_growth_bytes_compiled_code_bare = bare.heapGrowthCode;
    results.heap_growth_bytes_widget_plain_compiled_code = plain.heapGrowthCode;
    results.leak_cycles = CYCLES;
    putLeakFigures(results, '', widget, bare);
    results.leak_peer_connections_created = widget.after.createdPcs;
    results.leak_tracks_created = widget.after.createdTracks;
    results.leak_audio_contexts_created = widget.after.createdContexts;
    results.heap_growth_bytes = widget.heapGrowth;
    results.heap_growth_bytes_bare = bare.heapGrowth;

    log(`leaks: ${WIDGETS} widgets on one page`);
    await page.goto(`${stack.url}/widget.html`, { waitUntil: 'load' });
    await page.evaluate(() => customElements.whenDefined('realtime-voice'));
    const heapOne = await heapAfterGc(page);
    const aloneMs = await page.evaluate(async () => {
      const el = document.querySelector('realtime-voice') as HTMLElement & { start(): Promise<boolean>; stop(): void };
      const t0 = performance.now();
      await el.start();
      const ms = performance.now() - t0;
      el.stop();
      return ms;
    });
    await page.evaluate(async (count: number) => {
      const first = document.querySelector('realtime-voice')!;
      for (let i = 1; i < count; i++) document.body.append(first.cloneNode() as HTMLElement);
      await Promise.all(
        [...document.querySelectorAll('realtime-voice')].map(
          (el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete,
        ),
      );
    }, WIDGETS);
    const heapMany = await heapAfterGc(page);
    const multi = await page.evaluate(async () => {
      const widgets = [...document.querySelectorAll('realtime-voice')] as Array<
        HTMLElement & { start(): Promise<boolean> }
      >;
      const t0 = performance.now();
      const ok = await Promise.all(widgets.map((el) => el.start()));
      return {
        ms: performance.now() - t0,
        connected: ok.filter(Boolean).length,
        live: (window as unknown as BenchWindow).__bench.live().pcs,
      };
    });
    await page.evaluate(() => (window as unknown as BenchWindow).benchStop());
    await sleep(1000);
    await heapAfterGc(page);
    const afterMulti = await liveObjects(page);
    results.multi_widgets = WIDGETS;
    results.multi_idle_heap_bytes_per_widget = Math.round((heapMany - heapOne) / (WIDGETS - 1));
    results.multi_connected = multi.connected;
    results.multi_live_peer_connections_while_connected = multi.live;
    results.multi_all_connected_ms = round(multi.ms);
    results.multi_one_alone_connected_ms = round(aloneMs);
    results.multi_all_vs_one_ratio = ratio(multi.ms, aloneMs);
    results.multi_leaked_peer_connections = afterMulti.pcs;
    results.multi_leaked_tracks = afterMulti.tracks;
    results.multi_leaked_audio_contexts = afterMulti.contexts;
    results.leak_emulator_crashes = stack.emulator.crashes;
  });
}

/**
 * The live objects once the audio contexts stopped closing: Firefox closes an AudioContext some
 * hundreds of ms after close() (more on a busy machine), so a context of the last stop still closing
 * would count as alive (seen: −6 … +1 "leaked" over 100 cycles, one context made per cycle; and −1 after a
 * count that held for a second with one still closing). Between calls no context should be open: waits until
 * none is and the count holds for a second, at most 5 s; a real leak still shows, it does not go away.
 */
async function settledObjects(page: Page): Promise<Awaited<ReturnType<typeof liveObjects>>> {
  let last = await liveObjects(page);
  for (let waited = 0, steady = 0; waited < 5000 && (steady < 4 || last.contexts > 0); waited += 250) {
    await sleep(250);
    const now = await liveObjects(page);
    steady = now.contexts === last.contexts ? steady + 1 : 0;
    last = now;
  }
  return last;
}
