/**
 * `npm run soak`: one long conversation with the widget's level meters on, then a shorter one with
 * the bare client as the baseline, each ONE call held the whole time with the looping fake
 * microphone (browser.ts), so turns keep happening. Every SOAK_SAMPLE_MS it samples the page:
 *
 * - JS heap in use after a forced full GC (CDP), and the DOM node count (CDP Performance `Nodes`);
 * - main-thread busy time over the interval (CDP `TaskDuration` delta / wall time);
 * - the CPU of all Chromium processes over the interval (/proc, as turn.ts).
 *
 * The forced GC runs between intervals, outside both time figures. Least-squares slopes per minute
 * say whether anything grows; a flat soak has slopes near zero. The figures are merged into
 * bench/results.json (other keys kept). Like the bench, it reports and never fails on a number:
 * a call that drops is counted (soak_call_drops), started again if the client does not bring it
 * back, and the soak goes on.
 *
 *   npm run soak                                            30 min widget, 5 min bare, a sample a minute
 *   SOAK_MINUTES=3 SOAK_BARE_MINUTES=1 SOAK_SAMPLE_MS=30000 npm run soak    a quick check
 */
import type { Browser, CDPSession, Page } from 'puppeteer-core';
import { heapAfterGc, sleep, withBrowserBench, type BenchWindow, type Stack } from './browser.ts';
import { log, round, slope, writeResults, type Results } from './results.ts';
import { cpuSeconds, pageOf, type Client as TurnClient } from './turn.ts';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 30);
const BARE_MINUTES = Number(process.env.SOAK_BARE_MINUTES ?? 5);
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_MS ?? 60_000);
/** How long a client may take to bring a dropped call back by itself before the soak starts it again. */
const RECOVERY_MS = 30_000;

/** The widget with its meters, and the bare client: turn.ts's pages. */
type Client = Extract<TurnClient, 'widget' | 'bare'>;

interface Sample {
  /** Minutes since the call was set up. */
  minute: number;
  heapBytes: number;
  domNodes: number;
  /** Over the interval that ended at this sample (NaN for the first, taken as the call starts). */
  mainThreadBusyPct: number;
  browserCpuPct: number;
  /** Answers started so far (output_audio_buffer.started), over every peer connection of the phase. */
  turns: number;
  connection: string;
}

interface Phase {
  samples: Sample[];
  /** Main-thread seconds and browser CPU seconds over all intervals, and their wall time. */
  taskSeconds: number;
  cpuSeconds: number;
  wallSeconds: number;
  turns: number;
  userTurns: number;
  drops: number;
  restarts: number;
  peerConnections: number;
}

async function metrics(cdp: CDPSession): Promise<Record<string, number>> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** Starts the call and waits for its session; false if it did not come up. */
async function startCall(page: Page): Promise<boolean> {
  const created = await page.evaluate(() => (window as unknown as BenchWindow).__bench.pcs.length);
  const started = await page.evaluate(() => (window as unknown as BenchWindow).benchStart()).catch(() => false);
  if (!started) return false;
  return page
    .waitForFunction(
      (n: number) => (window as unknown as BenchWindow).__bench.pcs[n]?.sessionCreated !== undefined,
      { timeout: 15_000, polling: 100 },
      created,
    )
    .then(
      () => true,
      () => false,
    );
}

/** What the page says now: connection state of the client's current peer connection, turns over all of them. */
function pageState(page: Page) {
  return page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    const count = (type: string) =>
      w.__bench.pcs.reduce((n, pc) => n + (pc.turnEvents ?? []).filter((e) => e.type === type).length, 0);
    return {
      connection: w.benchPc()?.connectionState ?? 'none',
      turns: count('output_started'),
      userTurns: count('speech_stopped'),
      peerConnections: w.__bench.pcs.length,
    };
  });
}

async function soakPhase(browser: Browser, page: Page, stack: Stack, client: Client, minutes: number): Promise<Phase> {
  const phase: Phase = {
    samples: [],
    taskSeconds: 0,
    cpuSeconds: 0,
    wallSeconds: 0,
    turns: 0,
    userTurns: 0,
    drops: 0,
    restarts: 0,
    peerConnections: 0,
  };
  const pid = browser.process()!.pid!;
  await page.goto(`${stack.url}${pageOf(client)}`, { waitUntil: 'load' });
  if (!(await startCall(page))) {
    log(`soak: ${client}: the call did not start; once more`);
    await stack.emulator.ready();
    await page.evaluate(() => (window as unknown as BenchWindow).benchStop()).catch(() => {});
    if (!(await startCall(page))) throw new Error(`soak: ${client}: the call did not start`);
  }
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  const t0 = performance.now();
  const minute = () => (performance.now() - t0) / 60_000;
  let connected = true;
  /** Takes heap and nodes after a forced GC; returns the time figures' new starting point, taken after it. */
  const snapshot = async () => {
    const heapBytes = await heapAfterGc(page);
    const m = await metrics(cdp);
    return {
      heapBytes,
      domNodes: m.Nodes ?? Number.NaN,
      task: m.TaskDuration ?? 0,
      cpu: cpuSeconds(pid),
      at: performance.now(),
    };
  };
  let base = await snapshot();
  const first = await pageState(page);
  phase.samples.push({
    minute: 0,
    heapBytes: base.heapBytes,
    domNodes: base.domNodes,
    mainThreadBusyPct: Number.NaN,
    browserCpuPct: Number.NaN,
    turns: first.turns,
    connection: first.connection,
  });
  const end = t0 + minutes * 60_000;
  while (performance.now() + SAMPLE_MS / 2 < end) {
    await sleep(Math.max(0, Math.min(SAMPLE_MS, end - performance.now())));
    // The interval's time figures first, then the GC (which would count as main-thread time).
    const wall = (performance.now() - base.at) / 1000;
    const task = ((await metrics(cdp)).TaskDuration ?? 0) - base.task;
    const cpu = cpuSeconds(pid) - base.cpu;
    const state = await pageState(page);
    const next = await snapshot();
    phase.taskSeconds += task;
    phase.cpuSeconds += cpu;
    phase.wallSeconds += wall;
    const sample: Sample = {
      minute: minute(),
      heapBytes: next.heapBytes,
      domNodes: next.domNodes,
      mainThreadBusyPct: (task / wall) * 100,
      browserCpuPct: (cpu / wall) * 100,
      turns: state.turns,
      connection: state.connection,
    };
    phase.samples.push(sample);
    log(
      `soak: ${client} ${sample.minute.toFixed(1)} min: heap ${(sample.heapBytes / 2 ** 20).toFixed(2)} MiB, ` +
        `${sample.domNodes} nodes, main thread ${sample.mainThreadBusyPct.toFixed(2)} %, CPU ${sample.browserCpuPct.toFixed(1)} %, ` +
        `${sample.turns} turns, ${sample.connection}`,
    );
    base = next;
    // A call that left `connected`: counted once; the client may bring it back (the widget reconnects
    // by itself), else the soak starts it again so the conversation goes on.
    if (state.connection !== 'connected') {
      if (connected) phase.drops++;
      connected = false;
      const lost = performance.now();
      while (performance.now() - lost < RECOVERY_MS && (await pageState(page)).connection !== 'connected')
        await sleep(1000);
      if ((await pageState(page)).connection !== 'connected') {
        log(`soak: ${client}: the call dropped (${state.connection}) and did not come back; starting it again`);
        phase.restarts++;
        await stack.emulator.ready();
        await page.evaluate(() => (window as unknown as BenchWindow).benchStop()).catch(() => {});
        await startCall(page);
      }
      base = await snapshot();
      connected = (await pageState(page)).connection === 'connected';
    } else connected = true;
  }
  const last = await pageState(page);
  // A reconnection the client did by itself between two samples shows as one more peer connection.
  phase.drops = Math.max(phase.drops, last.peerConnections - 1 - phase.restarts);
  phase.turns = last.turns;
  phase.userTurns = last.userTurns;
  phase.peerConnections = last.peerConnections;
  await page.evaluate(() => (window as unknown as BenchWindow).benchStop()).catch(() => {});
  await cdp.detach();
  return phase;
}

function printTable(client: Client, samples: Sample[]): void {
  console.log(`\n${client}`);
  console.log('   min   heap MiB   DOM nodes   main thread %   browser CPU %   turns   connection');
  for (const s of samples)
    console.log(
      `${s.minute.toFixed(1).padStart(6)}  ${(s.heapBytes / 2 ** 20).toFixed(2).padStart(9)}  ${String(s.domNodes).padStart(10)}` +
        `  ${(Number.isNaN(s.mainThreadBusyPct) ? '–' : s.mainThreadBusyPct.toFixed(2)).padStart(14)}` +
        `  ${(Number.isNaN(s.browserCpuPct) ? '–' : s.browserCpuPct.toFixed(1)).padStart(14)}  ${String(s.turns).padStart(6)}   ${s.connection}`,
    );
}

function put(results: Results, client: Client, phase: Phase, minutes: number): void {
  const suffix = client === 'widget' ? '' : '_bare';
  const interval = phase.samples.slice(1);
  const per = (key: 'heapBytes' | 'domNodes' | 'mainThreadBusyPct' | 'browserCpuPct') =>
    slope(interval.map((s) => [s.minute, s[key]]));
  results[`soak_heap_slope_bytes_per_min${suffix}`] = round(per('heapBytes'), 0);
  results[`soak_dom_nodes_slope_per_min${suffix}`] = round(per('domNodes'), 2);
  results[`soak_main_thread_busy_slope_pct_per_min${suffix}`] = round(per('mainThreadBusyPct'), 4);
  results[`soak_browser_cpu_slope_pct_per_min${suffix}`] = round(per('browserCpuPct'), 3);
  results[`soak_heap_first_bytes${suffix}`] = phase.samples[0]?.heapBytes ?? Number.NaN;
  results[`soak_heap_last_bytes${suffix}`] = phase.samples.at(-1)?.heapBytes ?? Number.NaN;
  results[`soak_dom_nodes_last${suffix}`] = phase.samples.at(-1)?.domNodes ?? Number.NaN;
  results[`soak_main_thread_busy_pct_${client}`] = round((phase.taskSeconds / phase.wallSeconds) * 100, 2);
  results[`soak_browser_cpu_pct_${client}`] = round((phase.cpuSeconds / phase.wallSeconds) * 100, 1);
  results[`soak_turns_${client}`] = phase.turns;
  results[`soak_user_turns_${client}`] = phase.userTurns;
  results[`soak_call_drops${suffix}`] = phase.drops;
  results[`soak_call_restarts${suffix}`] = phase.restarts;
  results[`soak_samples${suffix}`] = phase.samples.length;
  results[`soak_measured_minutes${suffix}`] = round(phase.wallSeconds / 60, 1);
  results[client === 'widget' ? 'soak_minutes' : 'soak_bare_minutes'] = minutes;
}

const results: Results = {};
const started = performance.now();
await withBrowserBench('speech', async ({ stack, browser, page }) => {
  const phases: Array<[Client, number]> = [
    ['widget', MINUTES],
    ['bare', BARE_MINUTES],
  ];
  for (const [client, minutes] of phases) {
    if (minutes <= 0) continue;
    log(`soak: ${client} for ${minutes} min, a sample every ${SAMPLE_MS / 1000} s`);
    try {
      const phase = await soakPhase(browser, page, stack, client, minutes);
      printTable(client, phase.samples);
      put(results, client, phase, minutes);
    } catch (error) {
      // A soak reports; a phase that could not run is noted and the other still runs.
      console.error(`[bench] soak ${client} failed:`, error);
      results[`soak_failed${client === 'widget' ? '' : '_bare'}`] = String((error as Error)?.message ?? error);
    }
  }
  results.soak_sample_seconds = SAMPLE_MS / 1000;
  results.soak_emulator_crashes = stack.emulator.crashes;
});
if (
  Number.isFinite(results.soak_main_thread_busy_pct_widget) &&
  Number.isFinite(results.soak_main_thread_busy_pct_bare)
)
  results.soak_main_thread_widget_vs_bare_ratio = round(
    (results.soak_main_thread_busy_pct_widget as number) / (results.soak_main_thread_busy_pct_bare as number),
    2,
  );
results.soak_date = new Date().toISOString();

// Merged at the very end: other benchmarks may have written the file meanwhile.
writeResults(results, ['soak_failed', 'soak_failed_bare']);
for (const [key, value] of Object.entries(results)) console.log(`${key.padEnd(44)}  ${value}`);
log(`soak total ${((performance.now() - started) / 60_000).toFixed(1)} min`);
// @roamhq/wrtc (the emulator) and Chromium children would keep the process alive.
process.exit(0);
