// Packages the dev server cannot serve module by module are bundled once with
// esbuild and served whole: an import of one of them resolves to its bundle.
// @openai/agents-realtime is one: @openai/agents-core imports `debug`, a CommonJS
// package, which the dev server serves as is and the browser cannot import
// ("Failed to fetch dynamically imported module").
import { build } from 'esbuild';

const PREBUILT = { '@openai/agents-realtime': '/__prebuilt/openai-agents-realtime.js' };

export function prebuiltModules() {
  const bundles = new Map();
  const bundle = (specifier) => {
    if (!bundles.has(specifier)) {
      bundles.set(
        specifier,
        build({
          stdin: { contents: `export * from ${JSON.stringify(specifier)};`, resolveDir: process.cwd(), loader: 'js' },
          bundle: true,
          format: 'esm',
          platform: 'browser',
          target: 'es2022',
          write: false,
          logLevel: 'silent',
        }).then((result) => result.outputFiles[0].text),
      );
    }
    return bundles.get(specifier);
  };
  return {
    name: 'prebuilt-modules',
    resolveImport({ source }) {
      return PREBUILT[source];
    },
    async serve(context) {
      const specifier = Object.keys(PREBUILT).find((name) => PREBUILT[name] === context.path);
      if (specifier) return { body: await bundle(specifier), type: 'js' };
      return undefined;
    },
  };
}
