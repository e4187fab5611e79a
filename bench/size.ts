/**
 * Bundle sizes: the drop-in bundle and the ESM build, against a minimal Lit
 * element built in the same run, and the published figures of the widgets
 * people pick instead.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { bytesByModule } from '../scripts/bundle-bytes.ts';
import { round, type Results } from './results.ts';

/** The optional parts beside the bundle (src/parts/), fetched when used. */
const PARTS = ['call', 'meters', 'devices', 'transcript', 'layouts', 'visualizer', 'history', 'controls', 'approvals'];
const gzip = (path: string) => gzipSync(readFileSync(path), { level: 9 }).length;

/** Gzip figures of the alternatives, measured elsewhere (issue 8). */
const PUBLISHED_GZIP_KB = { elevenlabs_convai_embed: 191, openai_agents_realtime: 353, vapi_widget: 184 };

export async function benchSize(results: Results): Promise<void> {
  if (!existsSync('dist/realtime-voice.bundle.js'))
    execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
  const bundle = readFileSync('dist/realtime-voice.bundle.js');
  const esm = readFileSync('dist/realtime-voice.js');
  results.bundle_raw_bytes = bundle.length;
  results.bundle_gzip_bytes = gzipSync(bundle, { level: 9 }).length;
  results.bundle_brotli_bytes = brotliCompressSync(bundle).length;
  // The core (the file a page loads first) and each part beside it; the one-file build with every part.
  results.core_gzip_bytes = results.bundle_gzip_bytes;
  let parts = 0;
  for (const part of PARTS) parts += results[`part_${part}_gzip_bytes`] = gzip(`dist/realtime-voice.${part}.js`);
  results.parts_gzip_bytes_total = parts;
  results.core_and_parts_gzip_bytes = Number(results.core_gzip_bytes) + parts;
  results.all_in_one_gzip_bytes = gzip('dist/realtime-voice.all.js');
  // Where the core's bytes go: each source module's minified text, gzipped alone.
  for (const { module, gzip: bytes } of bytesByModule('dist/realtime-voice.bundle.js'))
    results[`core_module_gzip_bytes:${module}`] = bytes;
  // The ESM build is left unminified for bundlers; measured minified, as a bundler would ship it.
  const esmMinified = (
    await build({
      stdin: { contents: esm.toString(), loader: 'js' },
      minify: true,
      write: false,
      format: 'esm',
      target: 'es2022',
    })
  ).outputFiles[0]!.contents;
  results.esm_gzip_bytes = gzipSync(esmMinified, { level: 9 }).length;
  // Baseline built in this run: the smallest useful Lit element, bundled and minified the same way.
  const minimal = await build({
    stdin: {
      contents:
        "import {LitElement,html,css} from 'lit';class X extends LitElement{static styles=css`:host{display:block}`;render(){return html`<button>hi</button>`}}customElements.define('x-min',X);",
      resolveDir: process.cwd(),
      loader: 'js',
    },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    target: 'es2022',
  });
  results.minimal_lit_element_gzip_bytes = gzipSync(minimal.outputFiles[0]!.contents, { level: 9 }).length;
  results.bundle_vs_minimal_lit_ratio = round(
    Number(results.bundle_gzip_bytes) / Number(results.minimal_lit_element_gzip_bytes),
    2,
  );
  for (const [name, kb] of Object.entries(PUBLISHED_GZIP_KB)) results[`published_${name}_gzip_bytes`] = kb * 1024;
}
