/**
 * Bundle sizes: the drop-in bundle and the ESM build, against a minimal Lit
 * element built in the same run, and the published figures of the widgets
 * people pick instead.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { round, type Results } from './results.ts';

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
