/**
 * Turn latency and the cost of a conversation, widget vs bare client, same
 * emulator settings (500 ms of silence ends a turn, as `npm start`).
 *
 * The fake microphone loops one short utterance with long trailing silence
 * (browser.ts). An AudioWorklet in the page (pages/instrument.js) listens to
 * both the microphone track and the remote track on one AudioContext clock:
 * a turn's latency is from the end of the user's speech, as the page
 * captured it, to the first non-silent remote audio after it. This does not
 * depend on where in its loop the file was when capture started. A turn is
 * discarded when the assistant was still audible as the speech ended.
 *
 * The same 30-second conversations give the cost: long tasks and busy time
 * of the page's main thread (CDP Performance metrics) and the CPU of all
 * Chromium processes (/proc), the widget with its `meters` attribute set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { Browser, Page } from 'puppeteer-core';
import {
  sleep,
  withBrowserBench,
  withBuiltParts,
  type BenchWindow,
  type ProbeEvent,
  type TurnEvent,
} from './browser.ts';
import { log, median, putDistribution, ratio, round, type Results } from './results.ts';

const CONVERSATION_MS = 30_000;
/** Each client gets this many conversations, in the order widget, bare, bare, widget, … so drift hits both alike. */
const CONVERSATIONS = Number(process.env.BENCH_TURN_CONVERSATIONS ?? 2);
/** widget_plain: the widget without its level meters, to tell their share of the widget's turn from the rest. */
const CLIENTS = { widget: '/widget.html?meters', bare: '/bare.html', widget_plain: '/widget.html' } as const;
export type Client = keyof typeof CLIENTS;
/**
 * A client's page (the soak's too). The widget's pages load the built parts (the meters draw in their worker, as
 * on a site); the bare client has none.
 */
export const pageOf = (client: Client) => (client === 'bare' ? CLIENTS.bare : withBuiltParts(CLIENTS[client]));

interface TurnParts {
  /** End of speech → `input_audio_buffer.speech_stopped` arrives: the network path in and the VAD's 500 ms of silence. */
  vad: number;
  /** speech_stopped → `output_audio_buffer.started`: the emulator synthesizing its answer (eSpeak). */
  synthesis: number;
  /** output_audio_buffer.started → first audible audio: the network path out, jitter buffer and playback. */
  playout: number;
}

export interface Conversation {
  turnsMs: number[];
  parts: TurnParts[];
  discarded: number;
  longTasks: number;
  longTaskMs: number;
  mainThreadBusyPct: number;
  browserCpuPct: number;
}

export function turnLatencies(
  events: ProbeEvent[],
  probeStart: number,
  clock: { context: number; perf: number },
  turnEvents: TurnEvent[],
): { turnsMs: number[]; parts: TurnParts[]; discarded: number } {
  const perf = (contextTime: number) => clock.perf + (contextTime - clock.context) * 1000;
  const parts: TurnParts[] = [];
  const local = events.filter((e) => e.input === 0).sort((a, b) => a.time - b.time);
  const remote = events.filter((e) => e.input === 1).sort((a, b) => a.time - b.time);
  const turnsMs: number[] = [];
  let discarded = 0;
  for (let i = 0; i < local.length; i++) {
    const on = local[i]!;
    const off = local[i + 1];
    // An utterance already under way when the probe started is not a whole turn.
    if (on.kind !== 'on' || !off || off.kind !== 'off' || on.time < probeStart + 0.05) continue;
    const nextOn = local.slice(i + 2).find((e) => e.kind === 'on')?.time ?? Infinity;
    const before = remote.filter((e) => e.time <= off.time).at(-1);
    const answer = remote.find((e) => e.kind === 'on' && e.time > off.time && e.time < nextOn);
    if (before?.kind === 'on' || !answer) {
      discarded++;
      continue;
    }
    turnsMs.push((answer.time - off.time) * 1000);
    const end = perf(off.time);
    const heard = perf(answer.time);
    const stopped = turnEvents.find((e) => e.type === 'speech_stopped' && e.t > end && e.t < heard);
    const started =
      stopped && turnEvents.find((e) => e.type === 'output_started' && e.t >= stopped.t && e.t < heard + 50);
    if (stopped && started)
      parts.push({ vad: stopped.t - end, synthesis: started.t - stopped.t, playout: heard - started.t });
  }
  return { turnsMs, parts, discarded };
}

/** CPU seconds used so far by the browser and all its descendant processes (also the soak's). */
export function cpuSeconds(rootPid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      /* the process ended meanwhile */
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p && hops < 20; p = parent.get(p), hops++)
      if (p === rootPid) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of ticks) if (inTree(pid)) total += t;
  return total / 100; // USER_HZ is 100 on Linux
}

/**
 * One conversation of `ms` (default 30 s) on `url`, measured; `beforeStop` reads what else it needs
 * from the live call (the impairment bench: the audio's getStats figures).
 */
export async function converse(
  browser: Browser,
  page: Page,
  url: string,
  options: { ms?: number; beforeStop?: (page: Page) => Promise<void> } = {},
): Promise<Conversation> {
  await page.goto(url, { waitUntil: 'load' });
  if (!(await page.evaluate(() => (window as unknown as BenchWindow).benchStart())))
    throw new Error(`start() failed on ${url}`);
  await page.waitForFunction(() => (window as unknown as BenchWindow).__bench.pcs[0]?.sessionCreated !== undefined, {
    timeout: 15_000,
    polling: 20,
  });
  const cdp = await page.createCDPSession();
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  const longTasksBefore = await page.evaluate(() => (window as unknown as BenchWindow).__bench.longTasks.length);
  const probeStart = await page.evaluate(() => {
    const w = window as unknown as BenchWindow;
    return w.__bench.probe(w.benchPc());
  });
  const task0 = await taskSeconds();
  const cpu0 = cpuSeconds(browser.process()!.pid!);
  const t0 = performance.now();
  await sleep(options.ms ?? CONVERSATION_MS);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(browser.process()!.pid!) - cpu0;
  const task = (await taskSeconds()) - task0;
  const { events, clock, turnEvents, longTasks } = await page.evaluate((from: number) => {
    const bench = (window as unknown as BenchWindow).__bench;
    return {
      events: bench.probeEvents,
      clock: bench.probeClock,
      turnEvents: bench.pcs[0].turnEvents!,
      longTasks: bench.longTasks.slice(from),
    };
  }, longTasksBefore);
  await options.beforeStop?.(page);
  await page.evaluate(async () => {
    const w = window as unknown as BenchWindow;
    await w.__bench.stopProbe();
    w.benchStop();
  });
  await cdp.detach();
  return {
    ...turnLatencies(events, probeStart, clock, turnEvents),
    longTasks: longTasks.length,
    longTaskMs: longTasks.reduce((sum, t) => sum + t.duration, 0),
    mainThreadBusyPct: (task / wall) * 100,
    browserCpuPct: (cpu / wall) * 100,
  };
}

export async function benchTurn(results: Results): Promise<void> {
  await withBrowserBench('speech', async ({ stack, browser, page }) => {
    const runs: Record<Client, Conversation[]> = { widget: [], bare: [], widget_plain: [] };
    const order: Client[] = ['widget', 'bare', 'widget_plain'];
    for (let i = 0; i < CONVERSATIONS; i++) {
      for (const client of i % 2 ? [...order].reverse() : order) {
        log(`turn: ${client} conversation ${i + 1}/${CONVERSATIONS} (${CONVERSATION_MS / 1000} s)`);
        try {
          runs[client].push(await converse(browser, page, `${stack.url}${pageOf(client)}`));
        } catch (error) {
          log(`turn: ${client} conversation failed: ${(error as Error).message.split('\n')[0]}`);
          await stack.emulator.ready();
        }
      }
    }
    // The widget runs with its level meters on (an AnalyserNode per side, drawn every frame): their cost is in these figures.
    await page.goto(`${stack.url}${pageOf('widget')}`, { waitUntil: 'load' });
    results.widget_meters_attribute_supported = (await page
      .evaluate(async () => {
        await customElements.whenDefined('realtime-voice');
        const ctor = customElements.get('realtime-voice') as unknown as
          { elementProperties?: Map<string, unknown> } | undefined;
        return ctor?.elementProperties?.has('meters') ?? false;
      })
      .catch(() => false))
      ? 1
      : 0;
    for (const client of order) {
      const turns = runs[client].flatMap((r) => r.turnsMs);
      putDistribution(results, `turn_first_audio_ms_${client}`, turns);
      results[`turn_samples_${client}`] = turns.length;
      results[`turn_discarded_${client}`] = runs[client].reduce((n, r) => n + r.discarded, 0);
    }
    results.turn_widget_vs_bare_ratio = ratio(
      median(runs.widget.flatMap((r) => r.turnsMs)),
      median(runs.bare.flatMap((r) => r.turnsMs)),
    );
    // The emulator's speech synthesis is most of a turn and swings with the machine's load; without it,
    // what is left is the part a client can influence (and the VAD's fixed 500 ms).
    const clientPath = (client: Client) => runs[client].flatMap((r) => r.parts.map((p) => p.vad + p.playout));
    results.turn_widget_plain_vs_bare_ratio = ratio(
      median(runs.widget_plain.flatMap((r) => r.turnsMs)),
      median(runs.bare.flatMap((r) => r.turnsMs)),
    );
    for (const client of order) {
      const parts = runs[client].flatMap((r) => r.parts);
      results[`turn_vad_ms_${client}_median`] = round(median(parts.map((p) => p.vad)));
      results[`turn_emulator_synthesis_ms_${client}_median`] = round(median(parts.map((p) => p.synthesis)));
      results[`turn_playout_ms_${client}_median`] = round(median(parts.map((p) => p.playout)));
      putDistribution(results, `turn_without_synthesis_ms_${client}`, clientPath(client));
    }
    results.turn_without_synthesis_widget_vs_bare_ratio = ratio(
      median(clientPath('widget')),
      median(clientPath('bare')),
    );
    results.turn_without_synthesis_widget_plain_vs_bare_ratio = ratio(
      median(clientPath('widget_plain')),
      median(clientPath('bare')),
    );
    const mean = (client: Client, key: keyof Conversation) =>
      runs[client].reduce((sum, r) => sum + (r[key] as number), 0) / runs[client].length;
    results.conversation_seconds = CONVERSATION_MS / 1000;
    results.turn_emulator_crashes = stack.emulator.crashes;
    for (const client of ['widget', 'bare'] as const) {
      results[`conversation_long_tasks_${client}`] = round(mean(client, 'longTasks'), 1);
      results[`conversation_long_task_ms_${client}`] = round(mean(client, 'longTaskMs'), 0);
      results[`conversation_main_thread_busy_pct_${client}`] = round(mean(client, 'mainThreadBusyPct'), 2);
      results[`conversation_browser_cpu_pct_${client}`] = round(mean(client, 'browserCpuPct'), 1);
    }
    results.conversation_browser_cpu_widget_vs_bare_ratio = ratio(
      mean('widget', 'browserCpuPct'),
      mean('bare', 'browserCpuPct'),
    );
    results.conversation_main_thread_widget_vs_bare_ratio = ratio(
      mean('widget', 'mainThreadBusyPct'),
      mean('bare', 'mainThreadBusyPct'),
    );
  });
}
