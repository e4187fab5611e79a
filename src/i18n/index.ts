import { en, type RealtimeVoiceStrings, type Words } from './en.js';

/**
 * Built-in languages besides English. Each is its own small file, fetched
 * the first time a widget's `lang` asks for it (dist/realtime-voice.de.js
 * and so on, next to the bundle), so English pages pay nothing for them.
 */
const LOADERS: Record<string, () => Promise<Record<string, RealtimeVoiceStrings>>> = {
  de: () => import('./de.js'),
  es: () => import('./es.js'),
  ar: () => import('./ar.js'),
};

/** Language codes with built-in words. */
export const LANGUAGES = ['en', ...Object.keys(LOADERS)];

const loaded: Record<string, Words> = { en };
const pending: Record<string, Promise<Words>> = {};

function code(lang: string): string {
  return lang.toLowerCase().split('-')[0]!;
}

/** The built-in words for a BCP 47 tag (`de-AT` → German) if loaded; English until then, or when not built in. */
export function stringsFor(lang: string): Words {
  return loaded[code(lang)] ?? en;
}

/** Loads a built-in language (once); resolves true when its words just became available, false when there is nothing new. */
export function loadLanguage(lang: string): Promise<boolean> {
  const c = code(lang);
  if (loaded[c]) return Promise.resolve(false);
  const load = LOADERS[c];
  if (!load) return Promise.resolve(false);
  pending[c] ??= load().then((module) => (loaded[c] = module[c]!));
  return pending[c].then(
    () => true,
    () => {
      delete pending[c];
      return false;
    },
  );
}

/** Languages written right to left. */
export function isRightToLeft(lang: string): boolean {
  return /^(ar|fa|he|ur|ps|yi)\b/i.test(lang);
}
