// Compiled by `tsc --noEmit` in `npm test`: the typed event map must accept
// these listeners and reject the wrong uses marked @ts-expect-error.
import type { RealtimeVoice } from '../../src/index.js';

export function typedListeners(el: RealtimeVoice): void {
  el.addEventListener('realtime-transcript', (e) => e.detail.text.toUpperCase());
  el.addEventListener('realtime-state', (e) => e.detail.state === 'connected');
  el.addEventListener('realtime-error', (e) => e.detail.code === 'ice-failed');
  el.addEventListener('response.done', (e) => e.detail.response.status);
  el.addEventListener('session.created', (e) => e.detail.session.instructions);
  el.addEventListener('response.output_audio_transcript.delta', (e) => e.detail.delta.length);
  el.addEventListener('realtime-levels', (e) => e.detail.input > e.detail.output);
  el.addEventListener('realtime-state', (e) => e.detail.state === 'reconnecting' && e.detail.reason === 'renewal');
  el.addEventListener('realtime-error', (e) => e.detail.code === 'tool-failed');
  el.tools = [
    {
      name: 'lookup',
      parameters: { type: 'object' },
      handler: async (args: { q: string }) => ({ hits: args.q.length }),
    },
  ];
  el.strings = { start: 'Go', errors: { 'microphone-denied': 'No mic' } };
  const fromDocument: HTMLElementTagNameMap['realtime-voice'] = el;
  fromDocument.addEventListener('realtime-event', (e) => e.detail.type);
  document.body.addEventListener('realtime-error', (e) => e.detail.message);

  // @ts-expect-error: a state that does not exist
  el.addEventListener('realtime-state', (e) => e.detail.state === 'ringing');
  // @ts-expect-error: transcripts have no `audio`
  el.addEventListener('realtime-transcript', (e) => e.detail.audio);
  // @ts-expect-error: tools need a handler
  el.tools = [{ name: 'lookup' }];
  // @ts-expect-error: state is read-only
  el.state = 'connected';
}
