// Configuration of @custom-elements-manifest/analyzer (`npm run analyze`).
// The element's JSDoc (@fires, @csspart, @cssprop, @slot) is the source; this
// config adds what JSDoc cannot say well: one `events` entry per server event
// type (the element re-dispatches each under its verbatim name), read from
// the same list the code uses, and drops the nameless entries the analyzer
// infers from `dispatchEvent(new CustomEvent(variable))`.
import { readFileSync } from 'node:fs';

function serverEventTypes() {
  const source = readFileSync(new URL('./src/events/server-events.ts', import.meta.url), 'utf8');
  const list = source.slice(source.indexOf('SERVER_EVENT_TYPES = ['), source.indexOf('] as const'));
  return [...list.matchAll(/'([a-z_.]+)'/g)].map((m) => m[1]);
}

/** The session settings' attributes (src/events/session-settings.ts), declared by a loop the analyzer cannot follow. */
function settingAttributes() {
  const source = readFileSync(new URL('./src/events/session-settings.ts', import.meta.url), 'utf8');
  const list = /SETTING_ATTRIBUTES = \(([^)]*)\)/.exec(source)[1];
  return [...list.matchAll(/'([^']*)'/g)].flatMap((m) => m[1].trim().split(' '));
}

function realtimeEvents() {
  return {
    name: 'realtime-voice-events',
    packageLinkPhase({ customElementsManifest }) {
      // The analyzer lists modules in file-system order, which differs between machines: sort them.
      customElementsManifest.modules.sort((a, b) => a.path.localeCompare(b.path));
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.tagName !== 'realtime-voice') continue;
          // Documented events only: the inferred ones carry variable names like `type`.
          const named = (declaration.events ?? []).filter((event) => event.name && event.description);
          const server = serverEventTypes().map((type) => ({
            name: type,
            type: { text: `CustomEvent<ServerEventMap['${type}']>` },
            description:
              type === 'error'
                ? "The server's `error` event, verbatim. Dispatched on the element only (not bubbling), so it never reaches window.onerror; it also arrives as `realtime-event` and `realtime-error`."
                : `The server event \`${type}\`, re-dispatched verbatim (bubbles, composed); \`detail\` is the parsed event.`,
          }));
          declaration.events = [...named, ...server];
          // Internal state (`_state`, … declared in static properties) is not an attribute; `lang` is the
          // native attribute, watched so the words follow it.
          declaration.attributes = (declaration.attributes ?? [])
            .filter((attribute) => !attribute.name.startsWith('_'))
            .map((attribute) =>
              attribute.name === 'lang'
                ? {
                    name: 'lang',
                    fieldName: 'lang',
                    type: { text: 'string' },
                    description:
                      "Language of the built-in words (en, de, es, ar; right-to-left for ar). Default: the nearest ancestor's lang, then the browser's.",
                  }
                : attribute,
            );
          declaration.members = (declaration.members ?? []).filter((member) => !member.name.startsWith('_'));
          // Each session setting's attribute, described by its declared property's JSDoc.
          for (const name of settingAttributes()) {
            const fieldName = name.replace(/-(.)/g, (_, letter) => letter.toUpperCase());
            const member = declaration.members.find((m) => m.name === fieldName);
            if (!member) throw new Error(`custom-elements manifest: no declared property ${fieldName} for ${name}`);
            member.attribute = name;
            declaration.attributes.push({ name, fieldName, type: member.type, description: member.description });
          }
        }
        // define.ts registers through a guard function the analyzer cannot follow.
        if (mod.path === 'src/define.ts') {
          mod.exports = [
            ...(mod.exports ?? []),
            {
              kind: 'custom-element-definition',
              name: 'realtime-voice',
              declaration: { name: 'RealtimeVoice', module: 'src/realtime-voice.ts' },
            },
          ];
        }
      }
    },
  };
}

export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/build/**'],
  outdir: '.',
  litelement: true,
  // package.json names custom-elements.json itself; the analyzer must not rewrite it (the freshness
  // test analyzes into a scratch folder, which would otherwise end up as the package's manifest path).
  packagejson: false,
  plugins: [realtimeEvents()],
};
