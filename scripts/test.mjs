// `npm test`: type check, then every browser test in real headless Chromium,
// then the Node tests. Finds Chromium first (installing Debian's package
// when it can, see find-chromium.mjs) so a fresh machine just works.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { findChromium } from './find-chromium.mjs';

process.env.CHROME_PATH = findChromium({ install: true });

const steps = [
  ['type check (browser code)', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
  ['type check (Node code)', 'npx', ['tsc', '-p', 'tsconfig.node.json']],
  ['build (dist/ for the build tests)', 'npm', ['run', 'build', '--silent']],
  // tsx loaded: the end-to-end services the runner starts are TypeScript.
  ['browser and end-to-end tests (headless Chromium)', 'node', ['--import', 'tsx', 'node_modules/@web/test-runner/dist/bin.js']],
];
// Node 20's test runner takes no globs: list the files.
const nodeTests = existsSync('test/node') ? readdirSync('test/node').filter((f) => f.endsWith('.test.ts')).map((f) => `test/node/${f}`) : [];
if (nodeTests.length) steps.push(['node tests', 'node', ['--import', 'tsx', '--test', ...nodeTests]]);

for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}: ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) {
    console.error(`\n✖ ${name} failed (exit ${result.status ?? result.signal}).`);
    process.exit(result.status || 1);
  }
}
console.log('\n✔ all test steps passed');
