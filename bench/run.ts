/**
 * `npm run bench`: what users of the widget feel and pay for, each figure
 * beside a baseline measured in the same run (these machines are noisy),
 * printed as a table and written to bench/results.json. Benchmarks report;
 * they never fail on a number.
 *
 *   npm run bench                      everything (about 5 minutes)
 *   npm run bench -- --only=connect    one part (or several: --only=size,server)
 *   BENCH_TURN_CONVERSATIONS=6 npm run bench -- --only=turn
 *                                      more turns (default 2 conversations of 30 s a client)
 *   BENCH_EMULATOR_CYCLES=200 npm run bench -- --only=emulator
 *                                      fewer emulator start/stop cycles (default 1000, 200 of them in Firefox; about 7 minutes)
 *
 * Parts: size, server, connect, turn, leaks, firefox, visualizer, impair, emulator (see each module's header). With --only, the figures of the
 * other parts are kept from the previous bench/results.json (so are the soak's, always).
 */
import { summaryMarkdown } from './report.ts';
import { log, writeResults, type Results } from './results.ts';
import { benchConnect } from './browser-connect.ts';
import { benchEmulatorStress } from './emulator-stress.ts';
import { benchFirefox } from './firefox.ts';
import { benchImpair } from './impair.ts';
import { benchLeaks } from './leaks.ts';
import { benchServer } from './server.ts';
import { benchSize } from './size.ts';
import { benchTurn } from './turn.ts';
import { benchVisualizer } from './visualizer.ts';

const PARTS: Record<string, (results: Results) => Promise<void>> = {
  size: benchSize,
  server: benchServer,
  connect: benchConnect,
  turn: benchTurn,
  leaks: benchLeaks,
  firefox: benchFirefox,
  visualizer: benchVisualizer,
  impair: benchImpair,
  emulator: benchEmulatorStress,
};

const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',')
  .filter(Boolean);
const unknown = only?.filter((name) => !(name in PARTS)) ?? [];
if (unknown.length) {
  console.error(`Unknown part(s): ${unknown.join(', ')}. Parts: ${Object.keys(PARTS).join(', ')}.`);
  process.exit(2);
}

const results: Results = {};
const started = performance.now();
for (const [name, part] of Object.entries(PARTS)) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  log(`${name}…`);
  try {
    await part(results);
  } catch (error) {
    // A benchmark reports; a failing part is noted and the others still run.
    console.error(`[bench] ${name} failed:`, error);
    results[`${name}_failed`] = String((error as Error)?.message ?? error);
  }
  log(`${name} done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
const merged = writeResults(results, only?.map((name) => `${name}_failed`) ?? []);
const width = Math.max(...Object.keys(merged).map((k) => k.length));
for (const [key, value] of Object.entries(merged)) console.log(`${key.padEnd(width)}  ${value}`);
console.log(`\n${summaryMarkdown(merged)}\n`);
log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
// @roamhq/wrtc (the emulator) and Chromium children would keep the process alive.
process.exit(0);
