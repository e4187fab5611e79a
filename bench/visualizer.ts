/**
 * The visualizer's cost on the page's main thread, in Chromium against the emulator: one widget in a
 * conversation (the looping spoken microphone of the turn bench; the emulator answers every turn, so
 * the assistant speaks a good part of the time), with its `meters` on in every run so the levels are
 * measured alike, and `visualizer` "none", "orb" or "bars". Each run measures 15 s of main-thread busy
 * time (CDP Performance metrics: TaskDuration, the tasks' wall time, as the turn bench; and ThreadTime,
 * the main thread's CPU time, which the other processes on these 2 cores cannot inflate) and counts
 * the animation-frame callbacks the page runs (the visualizer is the only one that asks for frames).
 * (Not the time inside them: a page's performance.now() is coarsened to 100 µs, the size of a frame's
 * drawing.) A fourth kind, "loop", is the floor of any 60 fps drawing: no
 * visualizer, and an empty requestAnimationFrame loop. The runs are interleaved (none, loop, orb,
 * bars, then the reverse, …) so drift hits all alike.
 *
 *   visualizer_main_thread_busy_pct       orb minus none, % of one core (the issue's goal: under 1 %)
 *   visualizer_bars_main_thread_busy_pct  bars minus none
 *   visualizer_none_main_thread_busy_pct  the widget with meters and no visualizer (the baseline)
 *   visualizer_empty_loop_main_thread_busy_pct  an empty rAF loop minus none (what 60 fps costs by itself)
 *   …_cpu_pct                             the same from the main thread's CPU time
 *   visualizer_fps                        orb frames drawn per second (visualizer_bars_fps: bars), the worker's
 *                                         where it draws in one (canvas.visualizerSnapshot() tells its count)
 *   visualizer_drawn_in_worker            1 when every orb run drew in a worker (OffscreenCanvas), else 0
 */
import { existsSync } from 'node:fs';
import type { Page } from 'puppeteer-core';
import { sleep, withBrowserBench, type BenchWindow } from './browser.ts';
import { log, round, type Results } from './results.ts';

const MEASURE_MS = 15_000;
/** Runs of each kind (interleaved). */
const ROUNDS = Number(process.env.BENCH_VISUALIZER_ROUNDS ?? 2);
const KINDS = ['none', 'loop', 'orb', 'bars'] as const;
type Kind = (typeof KINDS)[number];

interface Run {
  busyPct: number;
  cpuPct: number;
  fps: number;
  /** The canvas was drawn in a worker (OffscreenCanvas): its frames are the worker's. */
  inWorker: boolean;
  /** Share of the measured time the assistant was speaking (output_audio_buffer.started → stopped). */
  speakingShare: number;
}

interface FrameCounter {
  frames: number;
  speakingMs: number;
  speakingSince?: number;
}

async function measure(page: Page, url: string, kind: Kind): Promise<Run> {
  await page.goto(url, { waitUntil: 'load' });
  await page.evaluate(async (kind: string) => {
    await customElements.whenDefined('realtime-voice');
    const el = document.querySelector('realtime-voice') as HTMLElement & { updateComplete: Promise<boolean> };
    // The parts as built files (dist/ on the bench's origin): the visualizer's worker is its own file.
    el.setAttribute('parts-url', '/parts/');
    if (kind !== 'loop') el.setAttribute('visualizer', kind);
    await el.updateComplete;
    // Frames run; how long the assistant speaks (the element's own server events).
    const counter: FrameCounter = { frames: 0, speakingMs: 0 };
    (window as unknown as { __frames: FrameCounter }).__frames = counter;
    const original = window.requestAnimationFrame.bind(window);
    window.requestAnimationFrame = (callback) =>
      original((now) => {
        counter.frames++;
        callback(now);
      });
    el.addEventListener('realtime-event', (e) => {
      const type = (e as CustomEvent<{ type: string }>).detail.type;
      if (type === 'output_audio_buffer.started') counter.speakingSince ??= performance.now();
      if ((type === 'output_audio_buffer.stopped' || type === 'output_audio_buffer.cleared') && counter.speakingSince) {
        counter.speakingMs += performance.now() - counter.speakingSince;
        counter.speakingSince = undefined;
      }
    });
    if (kind === 'loop') {
      const loop = () => requestAnimationFrame(loop);
      loop();
    }
  }, kind);
  if (!(await page.evaluate(() => (window as unknown as BenchWindow).benchStart())))
    throw new Error(`start() failed on ${url}`);
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.pcs[0]?.sessionCreated !== undefined, {
    timeout: 15_000,
    polling: 20,
  });
  // The first turn's answer is under way after a few seconds of the looping microphone.
  await sleep(1000);
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  const metrics = async () => {
    const list = (await cdp.send('Performance.getMetrics')).metrics;
    const value = (name: string) => list.find((m) => m.name === name)?.value ?? 0;
    return { task: value('TaskDuration'), cpu: value('ThreadTime') };
  };
  const reset = () =>
    page.evaluate(() => {
      const counter = (window as unknown as { __frames: FrameCounter }).__frames;
      counter.frames = counter.speakingMs = 0;
      if (counter.speakingSince !== undefined) counter.speakingSince = performance.now();
      return performance.now();
    });
  /** The worker's frame count, where the visualizer draws in one (its frames are not the page's). */
  const workerFrames = () =>
    page.evaluate(async () => {
      const el = document.querySelector('realtime-voice')!;
      const canvas = el.shadowRoot!.querySelector('canvas') as
        (HTMLCanvasElement & { visualizerSnapshot?: () => Promise<{ frames: number } | undefined> }) | null;
      if (canvas?.dataset.drawnIn !== 'worker') return undefined;
      return (await canvas.visualizerSnapshot!())?.frames;
    });
  const workerBefore = await workerFrames();
  const before = await metrics();
  const page0 = await reset();
  const t0 = performance.now();
  await sleep(MEASURE_MS);
  const wall = (performance.now() - t0) / 1000;
  const after = await metrics();
  const workerAfter = await workerFrames();
  const counted = await page.evaluate((from: number) => {
    const counter = (window as unknown as { __frames: FrameCounter }).__frames;
    const now = performance.now();
    const speaking = counter.speakingMs + (counter.speakingSince === undefined ? 0 : now - counter.speakingSince);
    return { frames: counter.frames, speaking, pageWall: now - from };
  }, page0);
  await page.evaluate(() => (window as unknown as BenchWindow).benchStop());
  await cdp.detach();
  const pageSeconds = counted.pageWall / 1000;
  return {
    busyPct: ((after.task - before.task) / wall) * 100,
    cpuPct: ((after.cpu - before.cpu) / wall) * 100,
    fps:
      workerBefore !== undefined && workerAfter !== undefined
        ? (workerAfter - workerBefore) / pageSeconds
        : counted.frames / pageSeconds,
    inWorker: workerBefore !== undefined,
    speakingShare: counted.speaking / counted.pageWall,
  };
}

export async function benchVisualizer(results: Results): Promise<void> {
  if (!existsSync('dist/realtime-voice.visualizer.js'))
    throw new Error('the visualizer bench loads the built parts: run npm run build first');
  await withBrowserBench('speech', async ({ stack, page }) => {
    const runs: Record<Kind, Run[]> = { none: [], loop: [], orb: [], bars: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const kind of i % 2 ? [...KINDS].reverse() : KINDS) {
        log(`visualizer: ${kind} run ${i + 1}/${ROUNDS} (${MEASURE_MS / 1000} s)`);
        try {
          runs[kind].push(await measure(page, `${stack.url}/widget.html?meters`, kind));
        } catch (error) {
          log(`visualizer: ${kind} run failed: ${(error as Error).message.split('\n')[0]}`);
          await stack.emulator.ready();
        }
      }
    }
    const mean = (kind: Kind, key: Exclude<keyof Run, 'inWorker'>) =>
      runs[kind].reduce((sum, r) => sum + r[key], 0) / runs[kind].length;
    const none = mean('none', 'busyPct');
    results.visualizer_seconds_per_run = MEASURE_MS / 1000;
    results.visualizer_runs_per_kind = ROUNDS;
    results.visualizer_none_main_thread_busy_pct = round(none, 2);
    results.visualizer_orb_total_main_thread_busy_pct = round(mean('orb', 'busyPct'), 2);
    results.visualizer_bars_total_main_thread_busy_pct = round(mean('bars', 'busyPct'), 2);
    results.visualizer_main_thread_busy_pct = round(mean('orb', 'busyPct') - none, 2);
    results.visualizer_bars_main_thread_busy_pct = round(mean('bars', 'busyPct') - none, 2);
    const cpu = mean('none', 'cpuPct');
    results.visualizer_none_main_thread_cpu_pct = round(cpu, 2);
    results.visualizer_main_thread_cpu_pct = round(mean('orb', 'cpuPct') - cpu, 2);
    results.visualizer_bars_main_thread_cpu_pct = round(mean('bars', 'cpuPct') - cpu, 2);
    results.visualizer_empty_loop_main_thread_busy_pct = round(mean('loop', 'busyPct') - none, 2);
    results.visualizer_empty_loop_main_thread_cpu_pct = round(mean('loop', 'cpuPct') - cpu, 2);
    results.visualizer_fps = round(mean('orb', 'fps'), 1);
    results.visualizer_drawn_in_worker = runs.orb.every((r) => r.inWorker) ? 1 : 0;
    results.visualizer_bars_fps = round(mean('bars', 'fps'), 1);
    results.visualizer_none_fps = round(mean('none', 'fps'), 1);
    results.visualizer_assistant_speaking_share_pct = round(
      (KINDS.reduce((sum, kind) => sum + mean(kind, 'speakingShare'), 0) / KINDS.length) * 100,
      0,
    );
  });
}
