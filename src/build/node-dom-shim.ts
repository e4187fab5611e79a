/**
 * Stands in for `@lit-labs/ssr-dom-shim` in the self-contained builds
 * (vite.config.ts aliases it). Lit's "node" builds import it only so that
 * `class extends HTMLElement` and the registry exist when the bundle is
 * imported in Node; in a browser neither is used. Lit's own shim also
 * emulates attributes, events and ElementInternals for server rendering,
 * which a voice widget never needs, and costs ~2 KB gzip of the budget.
 */
export const HTMLElement = class {} as unknown as typeof globalThis.HTMLElement;

const defined = new Map<string, CustomElementConstructor>();
export const customElements = {
  define: (name: string, ctor: CustomElementConstructor) => void defined.set(name, ctor),
  get: (name: string) => defined.get(name),
} as unknown as CustomElementRegistry;
