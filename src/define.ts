import { RealtimeVoice } from './realtime-voice.js';

/**
 * Registers `<realtime-voice>` once. Loading the script twice (or two copies
 * of the package) must not throw "already defined", and importing in Node
 * for server-side rendering must not touch a registry that is not there.
 */
export function defineRealtimeVoice(tagName = 'realtime-voice'): void {
  const registry = globalThis.customElements;
  if (!registry || registry.get(tagName)) return;
  registry.define(tagName, tagName === 'realtime-voice' ? RealtimeVoice : class extends RealtimeVoice {});
}
