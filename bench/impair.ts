/**
 * What a bad network does to a call (issue 18), in Chromium against the emulator, every call across a
 * UDP relay on loopback (support/impaired-path.ts):
 *
 * - loss 0 / 5 / 15 % with 150 ± 50 ms one-way jitter each way: 30 s conversations of the widget and
 *   of the bare client, the same as the turn bench measures (turn.ts's `converse`), with the audio's
 *   continuity from getStats (concealed and inserted samples of the model's voice);
 * - a 3 s blackout: does the same call come back (ICE consent survives), and how long after the
 *   blackout's end does the voice flow again;
 * - a 20 s blackout: the time until the widget declares the link dead (it says "reconnecting"), until it
 *   has a new call, and whether the new call was given the earlier turn (the items it sends).
 */
import type { Page } from 'puppeteer-core';
import { sleep, withBrowserBench, type BenchWindow } from './browser.ts';
import { log, median, round, type Results } from './results.ts';
import { converse, type Conversation } from './turn.ts';

const CONVERSATION_MS = Number(process.env.BENCH_IMPAIR_MS ?? 30_000);
const LOSSES = [0, 0.05, 0.15];
const JITTER = { delayMs: 150, jitterMs: 50 };
const CLIENTS = { widget: '/widget.html?impaired', bare: '/bare.html?impaired' } as const;

interface Continuity {
  samples: number;
  concealed: number;
  inserted: number;
  packetsLost: number;
  packetsReceived: number;
}

/** The model's voice as the browser received it: inbound-rtp audio of the page's peer connection. */
function continuity(page: Page): Promise<Continuity | undefined> {
  return page.evaluate(async () => {
    const pc = (window as unknown as BenchWindow).benchPc();
    if (!pc) return undefined;
    for (const r of (await pc.getStats()).values()) {
      if (r.type !== 'inbound-rtp' || r.kind !== 'audio') continue;
      return {
        samples: r.totalSamplesReceived ?? 0,
        concealed: r.concealedSamples ?? 0,
        inserted: r.insertedSamplesForDeceleration ?? 0,
        packetsLost: r.packetsLost ?? 0,
        packetsReceived: r.packetsReceived ?? 0,
      };
    }
    return undefined;
  });
}

/** The widget's states as it announced them, in ms of Node's clock (polled into Node by `states`). */
async function watchWidget(page: Page): Promise<void> {
  await page.evaluate(() => {
    const el = document.querySelector('realtime-voice')!;
    const w = window as unknown as { __states: Array<{ state: string; t: number }>; __sent: string[] };
    w.__states = [];
    el.addEventListener('realtime-state', (e) =>
      w.__states.push({ state: (e as CustomEvent<{ state: string }>).detail.state, t: Date.now() }),
    );
  });
}

const states = (page: Page) =>
  page.evaluate(() => (window as unknown as { __states: Array<{ state: string; t: number }> }).__states);
const callId = (page: Page) =>
  page.evaluate(
    () => (document.querySelector('realtime-voice') as unknown as { session: { callId?: string } }).session.callId,
  );

async function until(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const by = Date.now() + ms;
  while (Date.now() < by) {
    if (await check()) return true;
    await sleep(100);
  }
  return false;
}

export async function benchImpair(results: Results): Promise<void> {
  await withBrowserBench('speech', async ({ stack, browser, page }) => {
    // Every client event the page sends, to see what the new call after a reconnect was given.
    await page.evaluateOnNewDocument(() => {
      const w = window as unknown as { __sent: string[] };
      w.__sent = [];
      const send = RTCDataChannel.prototype.send;
      RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: string) {
        if (typeof data === 'string') w.__sent.push(data);
        return send.call(this, data as never);
      } as typeof send;
    });
    for (const loss of LOSSES) {
      const name = `impair_loss${Math.round(loss * 100)}`;
      stack.impaired.impair({ loss, ...JITTER });
      for (const [client, path] of Object.entries(CLIENTS)) {
        log(`impair: ${client}, ${loss * 100} % loss, 150 ± 50 ms jitter (${CONVERSATION_MS / 1000} s)`);
        let audio: Continuity | undefined;
        let run: Conversation | undefined;
        try {
          run = await converse(browser, page, `${stack.url}${path}`, {
            ms: CONVERSATION_MS,
            beforeStop: async (p) => void (audio = await continuity(p)),
          });
        } catch (error) {
          log(`impair: ${client} failed: ${(error as Error).message.split('\n')[0]}`);
          results[`${name}_failed_${client}`] = 1;
          await stack.emulator.ready();
          continue;
        }
        results[`${name}_turn_first_audio_ms_${client}_median`] = round(median(run.turnsMs));
        results[`${name}_turn_samples_${client}`] = run.turnsMs.length;
        if (audio) {
          results[`${name}_concealed_pct_${client}`] = round((audio.concealed / Math.max(1, audio.samples)) * 100, 2);
          results[`${name}_inserted_pct_${client}`] = round((audio.inserted / Math.max(1, audio.samples)) * 100, 2);
          results[`${name}_packets_lost_pct_${client}`] = round(
            (audio.packetsLost / Math.max(1, audio.packetsLost + audio.packetsReceived)) * 100,
            1,
          );
        }
      }
    }
    stack.impaired.impair({});

    log('impair: a 3 s blackout in a widget call');
    await page.goto(`${stack.url}${CLIENTS.widget}`, { waitUntil: 'load' });
    await page.evaluate(() => (window as unknown as BenchWindow).benchStart());
    await watchWidget(page);
    await sleep(2000);
    const before = await callId(page);
    stack.impaired.blackout(3000);
    const blackoutEnds = Date.now() + 3000;
    await sleep(2900);
    const frozen = (await continuity(page))?.packetsReceived ?? 0;
    let recoverMs = Number.NaN;
    await until(async () => {
      const now = (await continuity(page))?.packetsReceived ?? 0;
      if (now > frozen + 5) recoverMs = Date.now() - blackoutEnds;
      return now > frozen + 5;
    }, 15_000);
    const after3 = await states(page);
    results.impair_blackout3s_recovered =
      (await callId(page)) === before && !after3.some((s) => s.state !== 'connected') && !Number.isNaN(recoverMs)
        ? 1
        : 0;
    results.impair_blackout3s_voice_back_ms = round(Math.max(0, recoverMs), 0);
    await page.evaluate(() => (window as unknown as BenchWindow).benchStop());

    log('impair: a 20 s blackout after one typed turn (the widget reconnects, the turn given back)');
    await page.goto(`${stack.url}${CLIENTS.widget}`, { waitUntil: 'load' });
    await page.evaluate(() => (window as unknown as BenchWindow).benchStart());
    await watchWidget(page);
    await page.evaluate(() =>
      (document.querySelector('realtime-voice') as unknown as { sendText(t: string): void }).sendText(
        'Please remember the word pineapple.',
      ),
    );
    await sleep(6000);
    const first = await callId(page);
    const sentBefore = await page.evaluate(() => (window as unknown as { __sent: string[] }).__sent.length);
    stack.impaired.blackout(20_000);
    const darkAt = Date.now();
    const detected = await until(async () => (await states(page)).some((s) => s.state === 'reconnecting'), 30_000);
    const reconnecting = (await states(page)).find((s) => s.state === 'reconnecting');
    const back = await until(
      async () =>
        (await states(page)).some((s) => s.state === 'connected' && s.t > (reconnecting?.t ?? 0)) &&
        (await callId(page)) !== first,
      45_000,
    );
    const connectedAgain = (await states(page)).find((s) => s.state === 'connected' && s.t > (reconnecting?.t ?? 0));
    const sentAfter = await page.evaluate(
      (from: number) => (window as unknown as { __sent: string[] }).__sent.slice(from),
      sentBefore,
    );
    const givenBack = sentAfter.some((text) => {
      try {
        const event = JSON.parse(text) as { type?: string; item?: unknown };
        return event.type === 'conversation.item.create' && JSON.stringify(event.item).includes('pineapple');
      } catch {
        return false;
      }
    });
    results.dead_link_detect_ms = detected && reconnecting ? reconnecting.t - darkAt : Number.NaN;
    results.impair_blackout20s_reconnect_ms =
      back && connectedAgain && reconnecting ? connectedAgain.t - reconnecting.t : Number.NaN;
    results.impair_blackout20s_reconnected_with_context = back && givenBack ? 1 : 0;
    await page.evaluate(() => (window as unknown as BenchWindow).benchStop());
    results.impair_conversation_seconds = CONVERSATION_MS / 1000;
    results.impair_emulator_crashes = stack.emulator.crashes;
  });
}
