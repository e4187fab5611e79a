/**
 * `realtime-voice/vue`: types for `<realtime-voice>` in Vue templates (Volar / vue-tsc).
 *
 *   import type {} from 'realtime-voice/vue';
 *
 * Vue still needs `compilerOptions.isCustomElement = (tag) => tag === 'realtime-voice'`.
 */
import type { DefineComponent } from 'vue';
import type { RealtimeVoiceOwnEventMap } from './events/dom-events.js';
import type { RealtimeVoiceAttributes } from './jsx.js';

type RealtimeVoiceVueEvents = {
  [K in keyof RealtimeVoiceOwnEventMap as `on${Capitalize<K>}`]?: (event: RealtimeVoiceOwnEventMap[K]) => void;
};

declare module 'vue' {
  interface GlobalComponents {
    'realtime-voice': DefineComponent<RealtimeVoiceAttributes & RealtimeVoiceVueEvents>;
  }
}

export type { RealtimeVoiceAttributes };
