// The published package: what `npm pack` puts in it, and that the tarball,
// installed into a fresh project, imports in Node and type-checks.
// `npm test` builds dist/ first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const built = existsSync(join(root, 'dist/realtime-voice.js'));
const work = mkdtempSync(join(tmpdir(), 'rv-pack-'));
after(() => rmSync(work, { recursive: true, force: true }));

test(
  'the package holds dist/, types, custom-elements.json, README and LICENSE — no server, emulator, demo or tests',
  { skip: !built && 'run npm run build' },
  () => {
    const [info] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
    );
    const files: string[] = info.files.map((f: { path: string }) => f.path);
    for (const needed of [
      'dist/realtime-voice.js',
      'dist/realtime-voice.bundle.js',
      'dist/realtime-voice.iife.js',
      'dist/index.d.ts',
      'custom-elements.json',
      'README.md',
      'LICENSE',
      'package.json',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the package`);
    }
    assert.deepEqual(
      files.filter((f) => /^(server|emulator|demo|test|scripts|src)\//.test(f)),
      [],
    );
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(manifest.dependencies), ['lit'], 'lit is the only runtime dependency');
    assert.equal(manifest.customElements, 'custom-elements.json', 'package.json points tools at the shipped manifest');
  },
);

test(
  'the tarball installs into a fresh project, imports in Node and type-checks',
  { skip: !built && 'run npm run build' },
  () => {
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: root,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(work, tarball)], {
      cwd: app,
      stdio: 'pipe',
    });
    const out = execFileSync(
      'node',
      ['-e', "import('realtime-voice').then(m => console.log(typeof m.RealtimeVoice, typeof m.RealtimeSession))"],
      { cwd: app, encoding: 'utf8' },
    );
    assert.equal(out.trim(), 'function function');
    writeFileSync(
      join(app, 'use.ts'),
      `import { RealtimeVoice, type RealtimeErrorDetail } from 'realtime-voice';
const el = document.createElement('realtime-voice');
const same: RealtimeVoice = el;
same.addEventListener('realtime-transcript', (e) => e.detail.text.toUpperCase());
same.addEventListener('realtime-error', (e) => { const d: RealtimeErrorDetail = e.detail; return d.code; });
void same.start();
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          lib: ['ES2022', 'DOM'],
          skipLibCheck: false,
          types: [],
        },
        files: ['use.ts'],
      }),
    );
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
      cwd: app,
      stdio: 'pipe',
    });
  },
);
