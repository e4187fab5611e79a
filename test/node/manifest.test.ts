// custom-elements.json is generated from the element's JSDoc; a stale
// committed copy fails here (regenerate with `npm run analyze`).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

test('custom-elements.json is up to date with the source', () => {
  // The analyzer takes outdir relative to the repository, so the scratch copy lives under .cache/.
  mkdirSync('.cache', { recursive: true });
  const outdir = mkdtempSync(join('.cache', 'cem-'));
  try {
    execFileSync('npx', ['cem', 'analyze', '--outdir', outdir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const fresh = JSON.parse(readFileSync(join(outdir, 'custom-elements.json'), 'utf8'));
  rmSync(outdir, { recursive: true, force: true });
  const committed = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
  assert.deepEqual(committed, fresh, 'custom-elements.json is stale: run `npm run analyze` and commit it');
});

/** The part of the Custom Elements Manifest schema this reads. */
interface Manifest {
  modules: Array<{
    declarations?: Array<{
      tagName?: string;
      attributes: Array<{ name: string }>;
      events: Array<{ name: string }>;
      cssParts: Array<{ name: string }>;
      cssProperties: Array<{ name: string }>;
    }>;
  }>;
}

test('the manifest documents the public attributes, events, parts and custom properties', () => {
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as Manifest;
  const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'realtime-voice');
  assert.ok(element, 'realtime-voice is declared');
  const attributes = element.attributes.map((a) => a.name);
  for (const name of ['token-url', 'connect-url', 'calls-url', 'voice', 'instructions'])
    assert.ok(attributes.includes(name), name);
  // The contract's names as the issues added them (CONTRACT.md, "The element"), each described.
  for (const name of [
    'persist',
    'visualizer',
    'theme',
    'turn-detection',
    'eagerness',
    'vad-threshold',
    'silence-ms',
    'noise-reduction',
    'transcription-model',
    'input-language',
    'output-modalities',
    'max-output-tokens',
    'reasoning-effort',
    'prompt-id',
    'prompt-version',
    'prompt-variables',
    'link-origins',
    'credentials',
  ]) {
    const attribute = element.attributes.find((a) => a.name === name) as { description?: string } | undefined;
    assert.ok(attribute?.description, `${name} is documented`);
  }
  const events = element.events.map((e) => e.name);
  for (const name of [
    'realtime-state',
    'realtime-error',
    'realtime-transcript',
    'realtime-event',
    'session.created',
    'response.done',
  ]) {
    assert.ok(events.includes(name), name);
  }
  assert.ok(element.cssParts.some((p) => p.name === 'base'));
  assert.ok(element.cssProperties.some((p) => p.name === '--realtime-voice-accent'));
});
