// Compiled by `tsc --noEmit`: the React 19 JSX and Vue GlobalComponents types of the package.
import type {} from '../../src/jsx.js';
import type {} from '../../src/vue.js';
import type { GlobalComponents } from 'vue';

export const jsx = (
  <realtime-voice token-url="/token" voice="marin" muted onrealtime-transcript={(e) => e.detail.text.toUpperCase()} onrealtime-state={(e) => e.detail.state} />
);

// @ts-expect-error: a typo in an attribute name
export const typo = <realtime-voice tokenurl="/token" />;

export type VueComponent = GlobalComponents['realtime-voice'];
