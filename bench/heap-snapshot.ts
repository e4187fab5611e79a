/**
 * Where the leak bench's heap growth goes (issue 18: the widget's heap grew ~0.3–0.8 KB a call more
 * than the bare client's). The leak bench's stack and pages, in a Chromium of its own so V8 flags can
 * be given (HEAP_JS_FLAGS, e.g. `--jitless`: no compiled code at all, to tell V8's JIT from the rest).
 *
 *   node --import tsx bench/heap-snapshot.ts snapshots [page]   start/stop cycles of one client (default
 *       /widget.html?meters): a heap snapshot over CDP (after full GCs) after HEAP_WARM cycles and
 *       after each HEAP_STEP more (HEAP_STEPS times), each pair diffed (heap-snapshot-diff.ts): by
 *       constructor, by what keeps the objects (compiled code, the bench's records, the element,
 *       Blink), and the objects new since the previous snapshot with their retainer paths.
 *       HEAP_KEEP=dir writes the .heapsnapshot files there.
 *   node --import tsx bench/heap-snapshot.ts growth [pages…]    the leak bench's own figure (leaks.ts
 *       `cycles`: BENCH_LEAK_CYCLES after BENCH_LEAK_WARM_UP) for the widget with meters, the bare
 *       client and the widget without meters (or the pages given), in this Chromium.
 *   node --import tsx bench/heap-snapshot.ts conversation [page] one call held HEAP_MINUTES (default 3)
 *       with the looping speech microphone, as the soak: heap after GC every 30 s, a snapshot after
 *       the first sample and at the end, diffed.
 *
 * Wrap runs in `flock /tmp/bench.lock …` as every benchmark.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'puppeteer-core';
import {
  heapAfterGc,
  launchChromium,
  microphoneFiles,
  newInstrumentedPage,
  sleep,
  startStack,
  type BenchWindow,
  type Stack,
} from './browser.ts';
import { diffSnapshots, inV8Heap, parseSnapshot, takeHeapSnapshot, type Snapshot } from './heap-snapshot-diff.ts';
import { benchCycle, cycles } from './leaks.ts';
import { slope } from './results.ts';

const WARM = Number(process.env.HEAP_WARM ?? 20);
const STEP = Number(process.env.HEAP_STEP ?? 50);
const STEPS = Number(process.env.HEAP_STEPS ?? 2);
const MINUTES = Number(process.env.HEAP_MINUTES ?? 3);
const KEEP = process.env.HEAP_KEEP;
const JS_FLAGS = process.env.HEAP_JS_FLAGS;
const [MODE = 'snapshots', ...PAGES] = process.argv.slice(2);
const PAGE = PAGES[0] ?? '/widget.html?meters';

async function snapshot(cdp: CDPSession, name: string): Promise<Snapshot> {
  await sleep(1000);
  const { text, usedSize } = await takeHeapSnapshot(cdp);
  if (KEEP) {
    mkdirSync(KEEP, { recursive: true });
    writeFileSync(join(KEEP, `${name}.heapsnapshot`), text);
  }
  const parsed = parseSnapshot(text);
  console.log(`[heap] ${name}: used ${usedSize} B, snapshot ${parsed.nodeCount} nodes, ${parsed.totalSize} B`);
  return parsed;
}

function report(title: string, a: Snapshot, b: Snapshot, units: number, unit: string): void {
  console.log(`\n[heap] ===== ${title} =====`);
  console.log(`-- V8's heap only (the bench's figure) --\n${diffSnapshots(a, b, units, 25, inV8Heap, unit)}`);
  console.log(`\n-- everything, Blink's C++ objects too --\n${diffSnapshots(a, b, units, 25, undefined, unit)}`);
}

async function snapshots(stack: Stack, page: Page): Promise<void> {
  await page.goto(`${stack.url}${PAGE}`, { waitUntil: 'load' });
  let failed = 0;
  for (let i = 0; i < WARM; i++) if (!(await benchCycle(page))) failed++;
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.enable');
  let previous = await snapshot(cdp, `after-${WARM}`);
  let done = WARM;
  for (let s = 0; s < STEPS; s++) {
    for (let i = 0; i < STEP; i++) if (!(await benchCycle(page))) failed++;
    done += STEP;
    const next = await snapshot(cdp, `after-${done}`);
    report(`${PAGE}: cycles ${done - STEP} → ${done}`, previous, next, STEP, 'cycle');
    previous = next;
  }
  console.log(`[heap] failed starts: ${failed}`);
}

async function growth(stack: Stack, page: Page): Promise<void> {
  for (const url of PAGES.length ? PAGES : ['/widget.html?meters', '/bare.html', '/widget.html']) {
    const r = await cycles(page, stack, `${stack.url}${url}`);
    console.log(
      `[heap] ${url}: heap growth ${r.heapGrowth} B over the cycles, ${r.failedStarts} failed starts, ${r.msPerCycle.toFixed(0)} ms a cycle`,
    );
  }
}

async function conversation(stack: Stack, page: Page): Promise<void> {
  await page.goto(`${stack.url}${PAGE}`, { waitUntil: 'load' });
  if (!(await page.evaluate(() => (window as unknown as BenchWindow).benchStart()))) throw new Error('no call');
  const turns = () =>
    page.evaluate(() =>
      (window as unknown as BenchWindow).__bench.pcs.reduce(
        (n, pc) => n + (pc.turnEvents ?? []).filter((e) => e.type === 'output_started').length,
        0,
      ),
    );
  await sleep(30_000);
  const cdp = await page.createCDPSession();
  await cdp.send('HeapProfiler.enable');
  const t0 = performance.now();
  const turns0 = await turns();
  const first = await snapshot(cdp, 'conversation-start');
  const points: Array<[number, number]> = [];
  while (performance.now() - t0 < MINUTES * 60_000) {
    points.push([(performance.now() - t0) / 60_000, await heapAfterGc(page)]);
    console.log(
      `[heap] ${points.at(-1)![0].toFixed(1)} min: ${points.at(-1)![1]} B, ${(await turns()) - turns0} turns`,
    );
    await sleep(30_000);
  }
  const last = await snapshot(cdp, 'conversation-end');
  const count = (await turns()) - turns0;
  console.log(`[heap] ${PAGE}: slope ${slope(points).toFixed(0)} B/min over ${MINUTES} min, ${count} turns`);
  report(`${PAGE}: one call, ${count} turns`, first, last, count, 'turn');
  await page.evaluate(() => (window as unknown as BenchWindow).benchStop());
}

const files = await microphoneFiles();
const stack = await startStack();
try {
  // The bench's Chromium, with V8 flags if asked.
  const browser = await launchChromium(
    MODE === 'conversation' ? files.speech : files.silence,
    JS_FLAGS ? [`--js-flags=${JS_FLAGS}`] : [],
  );
  try {
    const page = await newInstrumentedPage(browser);
    console.log(
      `[heap] ${new Date().toISOString()} ${MODE} ${MODE === 'growth' ? '' : PAGE} js-flags: ${JS_FLAGS ?? 'none'}`,
    );
    if (MODE === 'growth') await growth(stack, page);
    else if (MODE === 'conversation') await conversation(stack, page);
    else await snapshots(stack, page);
  } finally {
    await browser.close();
  }
} finally {
  await stack.close();
}
