// Compiled by `tsc --noEmit`: the React 19 JSX and Vue GlobalComponents types of the package.
import type {} from '../../src/jsx.js';
import type {} from '../../src/vue.js';
import type { GlobalComponents } from 'vue';

export const jsx = (
  <realtime-voice
    token-url="/token"
    voice="marin"
    muted
    onrealtime-transcript={(e) => e.detail.text.toUpperCase()}
    onrealtime-state={(e) => e.detail.state}
  />
);

export const everything = (
  <realtime-voice
    connect-url="/connect"
    transcript
    text-input
    meters
    devices
    push-to-talk
    layout="floating"
    reconnect-attempts={2}
    audio-constraints='{"noiseSuppression":false}'
    lang="de"
    onrealtime-levels={(e) => e.detail.input + e.detail.output}
  />
);

// @ts-expect-error: a layout that does not exist
export const badLayout = <realtime-voice layout="sidebar" />;

// @ts-expect-error: a typo in an attribute name
export const typo = <realtime-voice tokenurl="/token" />;

export type VueComponent = GlobalComponents['realtime-voice'];
