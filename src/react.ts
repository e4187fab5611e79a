/**
 * `realtime-voice/react`: a React component for `<realtime-voice>`, made by
 * @lit/react, with typed event props. React 19 can also use the bare tag
 * (see demo/react/); this wrapper adds camelCase event props and typed
 * properties for React 18 and 19.
 *
 *   <RealtimeVoiceReact tokenUrl="/token" onRealtimeTranscript={(e) => e.detail.text} />
 */
import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import type { RealtimeVoiceOwnEventMap } from './events/dom-events.js';
import { RealtimeVoice } from './index.js';

export const RealtimeVoiceReact = createComponent({
  tagName: 'realtime-voice',
  elementClass: RealtimeVoice,
  react: React,
  events: {
    onRealtimeState: 'realtime-state' as EventName<RealtimeVoiceOwnEventMap['realtime-state']>,
    onRealtimeError: 'realtime-error' as EventName<RealtimeVoiceOwnEventMap['realtime-error']>,
    onRealtimeTranscript: 'realtime-transcript' as EventName<RealtimeVoiceOwnEventMap['realtime-transcript']>,
    onRealtimeEvent: 'realtime-event' as EventName<RealtimeVoiceOwnEventMap['realtime-event']>,
    onRealtimeLevels: 'realtime-levels' as EventName<RealtimeVoiceOwnEventMap['realtime-levels']>,
    onRealtimeUsage: 'realtime-usage' as EventName<RealtimeVoiceOwnEventMap['realtime-usage']>,
  },
  displayName: 'RealtimeVoice',
});

export type { RealtimeVoice };
