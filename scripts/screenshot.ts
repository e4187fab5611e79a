/**
 * The widget's screenshots (scripts/screenshots/shots.ts): every state × layout × viewport width ×
 * theme × direction, in headless Chromium, no server or emulator needed.
 *
 *   npm run screenshots                  takes them and compares each with docs/screens/ (as the test does);
 *                                        a failed one's new picture and diff go to .cache/screenshots/
 *   npm run screenshots -- --update      writes the baselines in docs/screens/ again (after a deliberate change):
 *                                        the pictures that fail the comparison, and any missing one
 *   npm run screenshots -- --update-all  the same, and also every picture whose pixels changed within the tolerance
 *   npm run screenshots -- --only=390/floating   either of the above for the pictures whose path contains that
 *   npm run screenshots -- --demo        the older README pictures from the real stack (docs/state-*.png, docs/demo.png)
 */
import { BASELINES, SHOTS, check, describe, update } from './screenshots/shots.ts';

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const shots = only ? SHOTS.filter((s) => s.name.includes(only)) : SHOTS;
const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

if (args.includes('--demo')) {
  const { takeDemoPictures } = await import('./screenshots/demo-page.ts');
  await takeDemoPictures();
} else if (args.includes('--update') || args.includes('--update-all')) {
  const { written, removed } = await update(shots, { all: args.includes('--update-all') });
  for (const name of written) console.log(`wrote docs/screens/${name}`);
  for (const name of removed) console.log(`removed docs/screens/${name}`);
  console.log(
    `${shots.length} pictures taken in ${seconds()}: ${written.length} written, ${shots.length - written.length} kept, ${removed.length} removed (${BASELINES})`,
  );
} else {
  const { taken, differences } = await check(shots);
  if (differences.length) {
    console.error(describe(differences));
    process.exitCode = 1;
  } else console.log(`${taken} pictures taken in ${seconds()}, each matches its baseline in docs/screens/`);
}
process.exit();
