/**
 * The widget's optional parts: each a file beside the bundle (`realtime-voice.<name>.js`), fetched the
 * first time an attribute or a call needs it, never before the click is answered. A part imports
 * nothing at run time (the classic-script build cannot share modules): what it needs from the core
 * comes in as arguments.
 */
import { RealtimeError } from '../session/errors.js';

export type PartName =
  'call' | 'meters' | 'devices' | 'transcript' | 'layouts' | 'visualizer' | 'history' | 'controls' | 'approvals';

/**
 * Where parts load from when the page says so (`RealtimeVoice.partsUrl`, or a widget's `parts-url`):
 * a base URL, e.g. a CDN folder. Unset, they load from beside the bundle, resolved from its own URL.
 */
export const partsConfig: { url?: string } = {};

const loading = new Map<string, Promise<unknown>>();

/** The file a part loads from when a base URL is set; '' for beside the bundle. */
export function partUrl(name: PartName, base = partsConfig.url): string {
  return base ? new URL(`realtime-voice.${name}.js`, new URL(base, document.baseURI)).href : '';
}

/**
 * Loads a part once (per URL). `beside` is the bundler's own `import('./x.js')` of it (so bundlers
 * and the build see the file); a base URL wins over it. A failed load is tried again next time.
 */
export function loadPart<T>(name: PartName, beside: () => Promise<T>, base?: string): Promise<T> {
  const url = partUrl(name, base);
  const key = url || name;
  let promise = loading.get(key) as Promise<T> | undefined;
  if (!promise) {
    promise = url ? (import(/* @vite-ignore */ url) as Promise<T>) : beside();
    loading.set(key, promise);
    promise.catch(() => loading.delete(key));
  }
  return promise;
}

/** A part that could not be loaded: a non-fatal error naming its file; the rest of the widget works without it. */
export function partUnavailable(name: PartName, error: unknown): RealtimeError {
  const message = `The ${name} part (realtime-voice.${name}.js) did not load (${(error as Error)?.message ?? error}); the widget works without it.`;
  return new RealtimeError('part-unavailable', message, { cause: error, fatal: false });
}
