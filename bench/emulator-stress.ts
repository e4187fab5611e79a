/**
 * The emulator under churn (issue 18): does its native WebRTC library
 * (@roamhq/wrtc) survive what tests and benchmarks do to it? Against the
 * bench stack (the emulator in a child process that is started again when
 * it dies, and counts each death):
 *
 * - BENCH_EMULATOR_CYCLES (default 1000) start/stop cycles, mixed by a
 *   fixed pattern of 20 (CYCLE_PATTERN): the bare client and the widget
 *   started and stopped once connected; calls closed mid-answer (a typed
 *   turn, then stopped at the answer's output_audio_buffer.started, or
 *   0–400 ms after the text, while the answer is being made); and bare
 *   calls stopped 0–200 ms after they began, while the emulator is still
 *   answering the SDP offer. BENCH_EMULATOR_FIREFOX_CYCLES (default 200)
 *   of them run in Firefox ESR, the rest in Chromium.
 * - BENCH_EMULATOR_CONCURRENT (default 20) widgets on one page (Chromium)
 *   started at once, each asked a typed turn, then all stopped at once
 *   while their answers are being made; BENCH_EMULATOR_CONCURRENT_ROUNDS
 *   (default 3) times.
 *
 * Keys: emulator_cycles (done, both engines), emulator_cycles_mid_answer,
 * emulator_cycles_early_stop, emulator_native_crashes (the emulator's
 * unexpected exits over the whole part; _chromium/_firefox apart),
 * emulator_failed_starts(_firefox), emulator_cycle_ms_median/_p90
 * (Chromium; _firefox apart), emulator_concurrent_calls,
 * emulator_concurrent_connected (the fewest connected in a round).
 * The cycles stop early at BENCH_EMULATOR_BUDGET_S (default 420 s, Chromium)
 * and BENCH_EMULATOR_FIREFOX_BUDGET_S (120 s), so the part stays bounded
 * (about 7 minutes here); emulator_cycles says how many ran.
 */
import type { Browser, Page } from 'puppeteer-core';
import { newInstrumentedPage, sleep, withBrowserBench, type BenchWindow, type Stack } from './browser.ts';
import { log, percentile, putDistribution, round, type Results } from './results.ts';

const CYCLES = Number(process.env.BENCH_EMULATOR_CYCLES ?? 1000);
const CONCURRENT = Number(process.env.BENCH_EMULATOR_CONCURRENT ?? 20);
const CONCURRENT_ROUNDS = Number(process.env.BENCH_EMULATOR_CONCURRENT_ROUNDS ?? 3);
const BUDGET_MS = Number(process.env.BENCH_EMULATOR_BUDGET_S ?? 420) * 1000;
/** Of the cycles, how many run in Firefox ESR (after the Chromium ones), within their own budget. */
const FIREFOX_CYCLES = Number(process.env.BENCH_EMULATOR_FIREFOX_CYCLES ?? 200);
const FIREFOX_BUDGET_MS = Number(process.env.BENCH_EMULATOR_FIREFOX_BUDGET_S ?? 120) * 1000;
/** How long a mid-answer cycle waits for the answer's audio to start before it stops anyway. */
const ANSWER_WAIT_MS = 8000;
const TURN_TEXT = 'Tell me something about the weather today.';

type Kind =
  | 'bare' // the bare client: connected, stopped
  | 'widget' // the widget: connected, stopped
  | 'bare-audio' // bare: a typed turn, stopped at output_audio_buffer.started
  | 'widget-audio' // widget: the same
  | 'bare-text' // bare: a typed turn, stopped 0–400 ms later (the answer being made)
  | 'bare-early'; // bare: stopped 0–200 ms after the start (the SDP offer being answered)

/** Cycle i runs CYCLE_PATTERN[i % 20]: 30 % mid-answer, 5 % stopped before connected. */
const CYCLE_PATTERN: Kind[] = [
  ...(['bare', 'widget', 'bare', 'bare-audio', 'bare', 'widget', 'bare-text'] as const),
  ...(['bare', 'widget-audio', 'bare', 'widget', 'bare-audio', 'bare', 'bare-early'] as const),
  ...(['widget', 'bare-text', 'bare', 'widget-audio', 'bare', 'widget'] as const),
];
const MID_ANSWER: ReadonlySet<Kind> = new Set(['bare-audio', 'widget-audio', 'bare-text']);

interface CycleOutcome {
  connected: boolean;
  /** For the *-audio kinds: the answer's audio started before the stop. */
  answered?: boolean;
}

/** One cycle in the page (bare.html or widget.html), run inside it; see Kind. */
function runCycle(page: Page, kind: Kind, delayMs: number): Promise<CycleOutcome> {
  return page.evaluate(
    async (kind: Kind, delayMs: number, text: string, waitMs: number): Promise<CycleOutcome> => {
      interface Bare {
        dc?: RTCDataChannel;
        pc?: RTCPeerConnection;
        stream?: MediaStream;
        audio?: HTMLAudioElement;
      }
      const w = window as unknown as BenchWindow & { bare?: Bare };
      const pause = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));
      if (kind === 'bare-early') {
        let settled = false;
        const started = w.benchStart().then(Boolean, () => false);
        void started.then(() => (settled = true));
        const b = w.bare; // set synchronously by benchStart, before its first await
        await pause(delayMs);
        w.benchStop();
        // The start goes on in the background after benchStop (which only closes what existed then):
        // what it opens later is closed as it appears, so no call is left open. A start whose peer
        // connection closed after the answer was set waits for its data channel forever; that ends the wait too.
        for (let waited = 0; waited < 5000 && !settled && b; waited += 20) {
          if (b.pc) {
            b.dc?.close();
            b.pc.close();
            b.stream?.getTracks().forEach((t) => t.stop());
            b.audio?.remove();
            try {
              if (b.pc.remoteDescription) break;
            } catch {
              break; // Firefox: "Peer connection is closed" (its answer was set: the same case)
            }
          }
          await pause(20);
        }
        b?.stream?.getTracks().forEach((t) => t.stop());
        b?.audio?.remove();
        return { connected: settled && (await started) };
      }
      let connected = false;
      try {
        connected = await w.benchStart();
        if (!connected || kind === 'bare' || kind === 'widget') return { connected };
        if (kind.startsWith('widget')) {
          const el = document.querySelector('realtime-voice') as HTMLElement & { sendText(t: string): boolean };
          const started = new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), waitMs);
            el.addEventListener('realtime-event', function seen(e) {
              if ((e as CustomEvent<{ type: string }>).detail.type !== 'output_audio_buffer.started') return;
              el.removeEventListener('realtime-event', seen);
              clearTimeout(timer);
              resolve(true);
            });
          });
          el.sendText(text);
          return { connected, answered: await started };
        }
        const dc = w.bare!.dc!;
        const started = new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), waitMs);
          dc.addEventListener('message', function seen(e) {
            if (!String(e.data).includes('"output_audio_buffer.started"')) return;
            dc.removeEventListener('message', seen);
            clearTimeout(timer);
            resolve(true);
          });
        });
        dc.send(
          JSON.stringify({
            type: 'conversation.item.create',
            item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
          }),
        );
        dc.send(JSON.stringify({ type: 'response.create' }));
        if (kind === 'bare-text') {
          await pause(delayMs);
          return { connected };
        }
        return { connected, answered: await started };
      } catch {
        return { connected };
      } finally {
        w.benchStop();
      }
    },
    kind,
    delayMs,
    TURN_TEXT,
    ANSWER_WAIT_MS,
  );
}

interface ConcurrentRound {
  connected: number;
  /** Calls whose answer had begun (response.created) when all were stopped. */
  responding: number;
  /** Of them, calls whose answer's audio had started (output_audio_buffer.started). */
  playing: number;
  allConnectedMs: number;
}

/**
 * CONCURRENT widgets on the page started at once; each is asked a typed turn, and all are stopped at
 * once as soon as every answer has begun and the first one plays (or after ANSWER_WAIT_MS).
 */
async function concurrentRound(page: Page): Promise<ConcurrentRound> {
  return page.evaluate(
    async (text: string, waitMs: number) => {
      type Widget = HTMLElement & { start(): Promise<boolean>; stop(): void; sendText(t: string): boolean };
      const widgets = [...document.querySelectorAll('realtime-voice')] as Widget[];
      const t0 = performance.now();
      const ok = await Promise.all(widgets.map((el) => el.start().catch(() => false)));
      const allConnectedMs = performance.now() - t0;
      const responding = new Set<Widget>();
      const playing = new Set<Widget>();
      const seen = (e: Event) => {
        const type = (e as CustomEvent<{ type: string }>).detail.type;
        if (type === 'response.created') responding.add(e.currentTarget as Widget);
        if (type === 'output_audio_buffer.started') playing.add(e.currentTarget as Widget);
      };
      const asked = widgets.filter((_, i) => ok[i]);
      for (const el of asked) {
        el.addEventListener('realtime-event', seen);
        el.sendText(text);
      }
      for (let waited = 0; waited < waitMs; waited += 50) {
        if (responding.size === asked.length && playing.size > 0) break;
        await new Promise((done) => setTimeout(done, 50));
      }
      for (const el of widgets) {
        el.removeEventListener('realtime-event', seen);
        el.stop();
      }
      return { connected: asked.length, responding: responding.size, playing: playing.size, allConnectedMs };
    },
    TURN_TEXT,
    ANSWER_WAIT_MS,
  );
}

/** A stable pseudo-random delay per cycle (the same run to run): 0 … max ms. */
function delayFor(i: number, max: number): number {
  return ((i * 2654435761) >>> 0) % (max + 1);
}

interface CycleTally {
  ms: number[];
  done: number;
  midAnswer: number;
  early: number;
  failed: number;
  audioCycles: number;
  audioStarted: number;
}

const newTally = (): CycleTally => ({
  ms: [],
  done: 0,
  midAnswer: 0,
  early: 0,
  failed: 0,
  audioCycles: 0,
  audioStarted: 0,
});

/** `count` cycles by CYCLE_PATTERN into `tally`, until `deadline` (performance.now()); `engine` names them in the log. */
async function runCycles(
  stack: Stack,
  pages: { bare: Page; widget: Page },
  count: number,
  deadline: number,
  tally: CycleTally,
  engine: string,
): Promise<void> {
  let crashesSeen = stack.emulator.crashes;
  let failed = 0;
  for (let i = 0; i < count; i++) {
    if (performance.now() > deadline) {
      log(`emulator: ${engine}: time budget reached after ${i} of ${count} cycles; stopping the cycles there`);
      break;
    }
    const kind = CYCLE_PATTERN[i % CYCLE_PATTERN.length]!;
    const page = kind.startsWith('widget') ? pages.widget : pages.bare;
    const delay = kind === 'bare-early' ? delayFor(i, 200) : kind === 'bare-text' ? delayFor(i, 400) : 0;
    const t0 = performance.now();
    const outcome = await runCycle(page, kind, delay).catch((error: unknown) => {
      log(`emulator: ${engine}: cycle ${i} (${kind}) threw: ${(error as Error).message}`);
      return { connected: false } as CycleOutcome;
    });
    tally.ms.push(performance.now() - t0);
    tally.done++;
    if (MID_ANSWER.has(kind)) tally.midAnswer++;
    if (kind === 'bare-early') tally.early++;
    else if (!outcome.connected) failed++;
    if (kind.endsWith('-audio')) {
      tally.audioCycles++;
      if (outcome.answered) tally.audioStarted++;
    }
    if (stack.emulator.crashes !== crashesSeen) {
      log(`emulator: ${engine}: crash #${stack.emulator.crashes} during cycle ${i} (${kind})`);
      crashesSeen = stack.emulator.crashes;
    }
    if (!outcome.connected) await stack.emulator.ready(); // after a crash, its restart
    if ((i + 1) % 100 === 0) {
      log(
        `emulator: ${engine}: ${i + 1}/${count} cycles, ${stack.emulator.crashes} crashes, ${failed} failed starts, ` +
          `median ${round(percentile(tally.ms, 50))} ms`,
      );
    }
  }
  tally.failed += failed;
}

/** The two pages the cycles alternate between: the bare client and the widget, loaded once. */
async function cyclePages(stack: Stack, browser: Browser, page: Page): Promise<{ bare: Page; widget: Page }> {
  await page.goto(`${stack.url}/bare.html`, { waitUntil: 'load' });
  const widget = await newInstrumentedPage(browser);
  // With meters, as the leak cycles run it (its AudioContext moves the page's stop; the one crash caught
  // in a core came from such a Firefox cycle).
  await widget.goto(`${stack.url}/widget.html?meters`, { waitUntil: 'load' });
  return { bare: page, widget };
}

export async function benchEmulatorStress(results: Results): Promise<void> {
  const startedAt = performance.now();
  const tally = newTally();
  let crashes = 0;
  const chromiumCycles = Math.max(0, CYCLES - FIREFOX_CYCLES);
  await withBrowserBench('silence', async ({ stack, browser, page }) => {
    const pages = await cyclePages(stack, browser, page);
    const widgetPage = pages.widget;
    log(`emulator: Chromium: ${chromiumCycles} start/stop cycles (bare client and widget, some closed mid-answer)`);
    try {
      await runCycles(stack, pages, chromiumCycles, startedAt + BUDGET_MS, tally, 'Chromium');
    } finally {
      results.emulator_native_crashes = crashes + stack.emulator.crashes;
    }
    results.emulator_cycles_chromium = tally.done;
    results.emulator_failed_starts = tally.failed;
    putDistribution(results, 'emulator_cycle_ms', tally.ms);

    log(`emulator: ${CONCURRENT} concurrent calls × ${CONCURRENT_ROUNDS} rounds`);
    await widgetPage.evaluate(async (count: number) => {
      await customElements.whenDefined('realtime-voice');
      const first = document.querySelector('realtime-voice')!;
      for (let i = document.querySelectorAll('realtime-voice').length; i < count; i++)
        document.body.append(first.cloneNode() as HTMLElement);
      await Promise.all(
        [...document.querySelectorAll('realtime-voice')].map(
          (el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete,
        ),
      );
    }, CONCURRENT);
    const rounds: ConcurrentRound[] = [];
    for (let r = 0; r < CONCURRENT_ROUNDS; r++) {
      await stack.emulator.ready();
      const before = stack.emulator.crashes;
      const round = await concurrentRound(widgetPage).catch((error: unknown) => {
        log(`emulator: concurrent round ${r} threw: ${(error as Error).message}`);
        return { connected: 0, responding: 0, playing: 0, allConnectedMs: Number.NaN };
      });
      rounds.push(round);
      await sleep(1000); // the emulator's side of the stops
      log(
        `emulator: round ${r + 1}: ${round.connected}/${CONCURRENT} connected in ${round.allConnectedMs.toFixed(0)} ms, ` +
          `${round.responding} answering and ${round.playing} playing when stopped, ${stack.emulator.crashes - before} crashes`,
      );
    }
    results.emulator_concurrent_calls = CONCURRENT;
    results.emulator_concurrent_rounds = rounds.length;
    results.emulator_concurrent_connected = Math.min(...rounds.map((r) => r.connected));
    results.emulator_concurrent_answering_at_stop = Math.min(...rounds.map((r) => r.responding));
    results.emulator_concurrent_playing_at_stop = Math.min(...rounds.map((r) => r.playing));
    results.emulator_concurrent_all_connected_ms = round(
      percentile(
        rounds.map((r) => r.allConnectedMs),
        50,
      ),
    );
    await sleep(2000); // a crash at the last teardown still counts
    crashes += stack.emulator.crashes;
    results.emulator_native_crashes_chromium = stack.emulator.crashes;
    results.emulator_native_crashes = crashes;
  });

  // Firefox tears a call down differently (its close reaches the emulator sooner after its channel
  // opened): the same cycles there, against a stack of their own.
  if (FIREFOX_CYCLES > 0) {
    const firefox = newTally();
    await withBrowserBench(
      'silence',
      async ({ stack, browser, page }) => {
        const pages = await cyclePages(stack, browser, page);
        log(`emulator: Firefox: ${FIREFOX_CYCLES} start/stop cycles`);
        try {
          await runCycles(stack, pages, FIREFOX_CYCLES, performance.now() + FIREFOX_BUDGET_MS, firefox, 'Firefox');
          await sleep(2000);
        } finally {
          crashes += stack.emulator.crashes;
          results.emulator_native_crashes_firefox = stack.emulator.crashes;
          results.emulator_native_crashes = crashes;
        }
      },
      'firefox',
    );
    results.emulator_cycles_firefox = firefox.done;
    results.emulator_failed_starts_firefox = firefox.failed;
    putDistribution(results, 'emulator_cycle_ms_firefox', firefox.ms);
    for (const key of ['done', 'midAnswer', 'early', 'audioCycles', 'audioStarted'] as const)
      tally[key] += firefox[key];
  }
  results.emulator_cycles = tally.done;
  results.emulator_cycles_mid_answer = tally.midAnswer;
  results.emulator_cycles_early_stop = tally.early;
  results.emulator_cycles_stopped_at_audio = tally.audioCycles;
  results.emulator_cycles_audio_started = tally.audioStarted;
  log(
    `emulator: ${crashes} native crashes in the part (${tally.done} cycles, ${results.emulator_concurrent_rounds} concurrent rounds)`,
  );
}
