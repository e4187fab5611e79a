/**
 * The same figures in Firefox ESR (over WebDriver BiDi, with a private PulseAudio as its sound card
 * and a silent microphone): connect latency, widget vs the bare client in the same run, and the
 * start/stop leak cycles with live object counts. Firefox gives no JS heap figure over BiDi, so
 * heap growth is not measured there.
 */
import { connectOnce } from './browser-connect.ts';
import { withBrowserBench, withBuiltParts } from './browser.ts';
import { cycles, putLeakFigures } from './leaks.ts';
import { log, median, putDistribution, ratio, type Results } from './results.ts';

const RUNS = Number(process.env.BENCH_FIREFOX_CONNECT_RUNS ?? 20);
const WARM_UP = 2;
const CYCLES = Number(process.env.BENCH_LEAK_CYCLES ?? 100);
const CLIENTS = { widget: '/widget.html', bare: '/bare.html' } as const;

export async function benchFirefox(results: Results): Promise<void> {
  await withBrowserBench(
    'silence',
    async ({ stack, page }) => {
      const dcOpen: Record<keyof typeof CLIENTS, number[]> = { widget: [], bare: [] };
      const created: Record<keyof typeof CLIENTS, number[]> = { widget: [], bare: [] };
      let failures = 0;
      for (let round = 0; round < WARM_UP + RUNS; round++) {
        const order = round % 2 ? (['bare', 'widget'] as const) : (['widget', 'bare'] as const);
        for (const client of order) {
          try {
            const sample = await connectOnce(page, `${stack.url}${CLIENTS[client]}`);
            if (round >= WARM_UP) {
              dcOpen[client].push(sample.dcOpen);
              created[client].push(sample.sessionCreated);
            }
          } catch (error) {
            log(`firefox connect: ${client} failed: ${(error as Error).message.split('\n')[0]}`);
            failures++;
            await stack.emulator.ready();
          }
        }
      }
      for (const client of ['widget', 'bare'] as const) {
        putDistribution(results, `firefox_connect_dc_open_ms_${client}`, dcOpen[client]);
        putDistribution(results, `firefox_connect_session_created_ms_${client}`, created[client]);
      }
      results.firefox_connect_dc_open_widget_vs_bare_ratio = ratio(median(dcOpen.widget), median(dcOpen.bare));
      results.firefox_connect_runs = RUNS;
      results.firefox_connect_failures = failures;

      log(`firefox leaks: ${CYCLES} start/stop cycles, widget (meters on), then the bare client`);
      const widget = await cycles(page, stack, `${stack.url}${withBuiltParts('/widget.html?meters')}`);
      const bare = await cycles(page, stack, `${stack.url}/bare.html`);
      results.firefox_leak_cycles = CYCLES;
      putLeakFigures(results, 'firefox_', widget, bare);
      results.firefox_heap = 'not measured: Firefox gives no JS heap figure over WebDriver BiDi';
      results.firefox_emulator_crashes = stack.emulator.crashes;
    },
    'firefox',
  );
}
