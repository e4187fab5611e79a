// Every test listed as not applicable to an engine (test/not-applicable.ts) still exists: a renamed
// test must not leave a stale entry (and silently start running, or stop being listed).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { notApplicable, runsWithoutWebRtc } from '../not-applicable.ts';

const sources = ['test/browser', 'test/e2e']
  .flatMap((dir) =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => readFileSync(`${dir}/${f}`, 'utf8')),
  )
  .join('\n');
const names = (fn: string) =>
  [...sources.matchAll(new RegExp(`\\b${fn}\\((['"\`])((?:\\\\.|(?!\\1).)*)\\1`, 'g'))].map((m) =>
    m[2]!.replace(/\\(.)/g, '$1'),
  );
const its = names('it');
// …and their describes from the tables' keys (`'during a call': [`).
const describes = [...names('describe'), ...[...sources.matchAll(/^\s*'([^']+)': \[/gm)].map((m) => m[1]!)];
// The fault tables build their titles as `${fault.name} → ${fault.code}`.
const faults = [...sources.matchAll(/name: (['"])((?:\\.|(?!\1).)*)\1,\s*code: '([\w-]+)'/g)].map(
  (m) => `${m[2]!.replace(/\\(.)/g, '$1')} → ${m[3]}`,
);

/** True when `title` is describe names, space-separated, then a test name. */
function exists(title: string): boolean {
  const rest = (prefix: string): boolean =>
    prefix === '' ||
    describes.some((d) => (prefix === d || prefix.startsWith(`${d} `)) && rest(prefix.slice(d.length).trimStart()));
  return [...its, ...faults].some(
    (it) => title.endsWith(it) && rest(title.slice(0, title.length - it.length).trimEnd()),
  );
}

test('every title in test/not-applicable.ts names a test', () => {
  const titles = [...Object.values(notApplicable).flatMap((list) => Object.keys(list)), ...runsWithoutWebRtc];
  assert.ok(titles.length > 10);
  assert.deepEqual(
    titles.filter((t) => !exists(t)),
    [],
  );
});

test('the check finds a wrong title', () => {
  assert.equal(exists('level meters no such test'), false);
  assert.equal(
    exists('no such describe without the meters attribute no AudioContext is made and no level events fire'),
    false,
  );
});
