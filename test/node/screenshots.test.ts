// Screenshots as tests: the widget in every state × layout × viewport width × theme × direction, taken in
// headless Chromium (no server, no emulator: states come from events on the element's session) and compared
// with docs/screens/ by pixelmatch (scripts/screenshots/shots.ts). A picture fails when more than 0.5 % of
// its pixels differ beyond pixelmatch's threshold, anti-aliasing aside, or its size changed; the new picture
// and a diff image go to .cache/screenshots/. After a deliberate style change: npm run screenshots -- --update
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_DIFF_RATIO, SHOTS, check, describe } from '../../scripts/screenshots/shots.ts';

test(`every screenshot matches its baseline in docs/screens/ (${SHOTS.length} pictures, ≤ ${MAX_DIFF_RATIO * 100} % of pixels differ)`, async () => {
  const { taken, differences } = await check();
  assert.equal(taken, SHOTS.length, 'every picture taken');
  assert.equal(differences.length, 0, describe(differences));
});
