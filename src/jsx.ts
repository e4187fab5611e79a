/**
 * `realtime-voice/jsx`: types for using the bare `<realtime-voice>` tag in React 19 JSX
 * (React 19 passes `on…` props of custom elements as event listeners).
 *
 *   import type {} from 'realtime-voice/jsx';
 *   <realtime-voice token-url="/token" onrealtime-transcript={(e) => e.detail.text} />
 */
import type * as React from 'react';
import type { RealtimeVoiceOwnEventMap } from './events/dom-events.js';
import type { RealtimeVoice } from './realtime-voice.js';

/** The element's attributes, as markup writes them. */
export interface RealtimeVoiceAttributes {
  'token-url'?: string;
  'connect-url'?: string;
  'calls-url'?: string;
  /** `include`: cookies to a token / connect URL on another origin. (`authorization` is a property: set it through a ref.) */
  credentials?: 'include' | 'same-origin' | 'omit';
  voice?: string;
  instructions?: string;
  timeout?: number | string;
  muted?: boolean;
  transcript?: boolean;
  'text-input'?: boolean;
  meters?: boolean;
  devices?: boolean;
  'push-to-talk'?: boolean;
  layout?: 'inline' | 'compact' | 'floating';
  open?: boolean;
  'reconnect-attempts'?: number | string;
  /** JSON of getUserMedia audio constraints, e.g. '{"noiseSuppression": false}'. */
  'audio-constraints'?: string;
  'input-device'?: string;
  'output-device'?: string;
  /** Base URL the optional parts (realtime-voice.<part>.js) load from; default beside the bundle. */
  'parts-url'?: string;
  lang?: string;
  visualizer?: 'orb' | 'bars' | 'none';
  theme?: 'auto' | 'light' | 'dark';
  /** Origins the assistant's links may point to, space-separated. */
  'link-origins'?: string;
  /** Keep the conversation across reloads: `session` (or the attribute alone) or `local`. */
  persist?: '' | 'session' | 'local' | boolean;
  'history-turns'?: number | string;
  'history-chars'?: number | string;
  'history-minutes'?: number | string;
  // The session settings: sent with the token / connect request and brought into the call's session.
  'turn-detection'?: 'server_vad' | 'semantic_vad' | 'none';
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
  'vad-threshold'?: number | string;
  'silence-ms'?: number | string;
  'noise-reduction'?: 'near_field' | 'far_field' | 'off';
  'transcription-model'?: string;
  'input-language'?: string;
  'output-modalities'?: 'audio' | 'text';
  'max-output-tokens'?: number | 'inf' | string;
  'reasoning-effort'?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
  'prompt-id'?: string;
  'prompt-version'?: string;
  /** JSON of the stored prompt's variables, e.g. '{"city": "Paris"}'. */
  'prompt-variables'?: string;
}

export type RealtimeVoiceEventProps = {
  [K in keyof RealtimeVoiceOwnEventMap as `on${K}`]?: (event: RealtimeVoiceOwnEventMap[K]) => void;
};

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'realtime-voice': React.DetailedHTMLProps<React.HTMLAttributes<RealtimeVoice>, RealtimeVoice> &
        RealtimeVoiceAttributes &
        RealtimeVoiceEventProps;
    }
  }
}
