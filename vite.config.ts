import { basename, resolve } from 'node:path';
import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';
import MagicString from 'magic-string';
import { defineConfig, type Plugin } from 'vite';

/**
 * `npm start` serves demo/ (the element straight from src/). `npm run build`
 * runs three library builds into dist/ (CONTRACT.md, "Build outputs"):
 *   --mode esm     dist/realtime-voice.js         ES module, `lit` left as a bare import (bundlers)
 *   --mode bundle  dist/realtime-voice.bundle.js  one self-contained ES module (<script type="module">)
 *   --mode iife    dist/realtime-voice.iife.js    the same as a classic <script>
 * The self-contained builds take Lit's "node" builds, which behave exactly as the
 * browser ones where a DOM exists and bring Lit's minimal DOM shim where none
 * does, so importing them in Node (server-side rendering) does not throw. Their
 * DOM shim is swapped for a 10-line one (src/build/node-dom-shim.ts).
 */
/** The lazily loaded language modules, src/i18n/de.ts etc. (not en, which is built in). */
const LANGUAGE_FILE = /^.*\/i18n\/(de|es|ar)\.(?:js|ts)$/;
/** The widget's optional parts, src/parts/meters.ts etc.: each a file of its own too (realtime-voice.meters.js …). */
const PART_FILE =
  /^.*\/parts\/(call|meters|devices|transcript|layouts|visualizer|history|controls|approvals)\.(?:js|ts)$/;
/** Files a classic script loads beside itself (it cannot hold chunks): the module bundle's own. */
const BESIDE = [LANGUAGE_FILE, PART_FILE];

/**
 * The self-contained files are final: no bundler will tree-shake them, so the `@__PURE__` notes that the
 * last transpile step writes after terser (e.g. before `new Map`) are dead weight (~70 B gzip).
 */
function stripPureAnnotations(): Plugin {
  return {
    name: 'realtime-voice:strip-pure-annotations',
    enforce: 'post',
    renderChunk: {
      order: 'post',
      handler(code) {
        const out = new MagicString(code);
        for (const match of code.matchAll(/\/\* @__PURE__ \*\//g))
          out.remove(match.index, match.index + match[0].length);
        return { code: out.toString(), map: out.generateMap({ hires: true }) };
      },
    },
  };
}

/**
 * A module two parts share (src/parts/offscreen.ts, the drawing worker of the meters and the visualizer) goes
 * into each part that imports it, not into a chunk of its own: a part is one file that imports nothing (a
 * classic script loads it too, its worker is that file, and a host copies one file per part). Each importer
 * resolves it under an id of its own, so the bundler keeps one copy per part.
 */
function copyIntoEachPart(): Plugin {
  const SHARED = /\/parts\/offscreen\.(?:js|ts)$/;
  return {
    name: 'realtime-voice:copy-into-each-part',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!importer || !source.includes('offscreen')) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved && SHARED.test(resolved.id) ? `${resolved.id}?part=${basename(importer)}` : null;
    },
  };
}

export default defineConfig(({ command, mode }) => {
  if (command === 'serve') {
    return {
      root: 'demo',
      server: { port: Number(process.env.PORT ?? 3000), strictPort: false, fs: { allow: ['..'] } },
      // Pre-bundled up front, so the first visit of a framework page does not trigger a reload.
      optimizeDeps: {
        include: [
          'react',
          'react-dom/client',
          '@lit/react',
          'vue/dist/vue.esm-bundler.js',
          '@angular/compiler',
          '@angular/core',
          '@angular/platform-browser',
        ],
      },
      clearScreen: false,
    };
  }
  if (mode === 'react') return reactBuild();
  // all: the classic script with every part and language inside, for hosts that take one file.
  const classic = mode === 'iife' || mode === 'all';
  const selfContained = mode === 'bundle' || classic;
  return {
    // The markup and CSS inside html`` / css`` are strings to terser: this minifies them (~1 KB gzip).
    plugins: [
      ...(selfContained
        ? [
            { ...literalsHtmlCssMinifier({ include: ['src/**/*.ts'], failOnError: true }), enforce: 'pre' as const },
            stripPureAnnotations(),
          ]
        : []),
      // The one-file build inlines every part: one copy is enough there.
      ...(mode === 'all' ? [] : [copyIntoEachPart()]),
    ],
    resolve: selfContained
      ? {
          conditions: ['node', 'module', 'production', 'default'],
          mainFields: ['module', 'main'],
          alias: { '@lit-labs/ssr-dom-shim': resolve('src/build/node-dom-shim.ts') },
        }
      : {},
    build: {
      outDir: 'dist',
      emptyOutDir: mode === 'esm',
      sourcemap: true,
      // terser: Vite's esbuild minifier keeps whitespace in ES-format library output.
      minify: selfContained ? 'terser' : false,
      terserOptions: { ecma: 2020, module: mode === 'bundle', compress: { passes: 2 }, format: { comments: false } },
      // ES2022 keeps #private fields native (down-levelled they cost ~2 KB gzip); every browser with the GA WebRTC flow has them.
      target: 'es2022',
      lib: {
        // The ESM build also has realtime-voice/protocol (the event lists, kept out of the bundles).
        entry: mode === 'esm' ? { 'realtime-voice': 'src/index.ts', protocol: 'src/protocol.ts' } : 'src/index.ts',
        name: 'RealtimeVoice',
        formats: [classic ? 'iife' : 'es'],
        fileName: (_format: string, entry: string) =>
          ({ esm: `${entry}.js`, bundle: 'realtime-voice.bundle.js', iife: 'realtime-voice.iife.js' })[mode] ??
          'realtime-voice.all.js',
      },
      rollupOptions: {
        external: [...(selfContained ? [] : [/^lit($|\/)/, /^@lit\//]), ...(mode === 'iife' ? BESIDE : [])],
        output: {
          // Each language is a file of its own, loaded on demand: dist/realtime-voice.de.js …
          chunkFileNames: 'realtime-voice.[name].js',
          // A classic script cannot hold chunks: it imports the same files (resolved against its own URL).
          paths: (id: string) =>
            id.replace(LANGUAGE_FILE, './realtime-voice.$1.js').replace(PART_FILE, './realtime-voice.$1.js'),
          inlineDynamicImports: mode === 'all',
        },
      },
    },
  };
});

/** dist/react.js: the @lit/react wrapper (bundled in); react, lit and the element itself stay imports of the package's own ESM build. */
function reactBuild() {
  const entry = resolve('src/index.ts');
  return {
    build: {
      outDir: 'dist',
      emptyOutDir: false,
      sourcemap: true,
      minify: false,
      target: 'es2022',
      lib: { entry: 'src/react.ts', formats: ['es' as const], fileName: () => 'react.js' },
      rollupOptions: {
        external: (id: string) => /^react($|\/)/.test(id) || /^lit($|\/)/.test(id) || id === entry,
        output: { paths: { [entry]: './realtime-voice.js' } },
      },
    },
  };
}
