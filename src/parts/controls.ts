/**
 * The controls part (`realtime-voice.controls.js`): the buttons of a running call beside the main
 * one (push-to-talk's hold-to-talk, "Stop answer" while the assistant speaks, mute, "Enable sound"),
 * the "use headphones" hint, the "network interrupted" notice, and the page's changes to a running call (voice, instructions, session
 * settings), which it sends as `session.update`. Fetched with the call (as soon as start() is called,
 * beside the token and the microphone), so the page's first download stays small; the main button,
 * which starts and ends a call, is the core's.
 */
import { controlsWords } from '../i18n/en-controls.js';
import type { PartFactory } from './kit.js';

const controls: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  const onTalkDown = (event: PointerEvent) => {
    (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
    el.startTalking();
  };
  const onTalkUp = () => el.stopTalking();
  /** Space (or Enter) held on the talk button talks; the key's repeats are ignored. */
  const onTalkKey = (event: KeyboardEvent) => {
    if (event.key !== ' ' && event.key !== 'Enter') return;
    event.preventDefault();
    if (event.type === 'keyup') el.stopTalking();
    else if (!event.repeat) el.startTalking();
  };
  const prevent = (event: Event) => event.preventDefault();
  /** The browser blocked the voice until a click: this click plays it (and the status line says so no more). */
  const onSound = async () => {
    if (await el.session.resumeAudio()) el.requestUpdate();
  };

  // Each call's peer connection, watched once: its state decides the "network interrupted" notice.
  const watched = new WeakSet<RTCPeerConnection>();

  return {
    /** A running call follows the page: new instructions, voice and settings go to its session. */
    updated: (changed) => {
      const pc = el.session.peerConnection;
      if (pc && !watched.has(pc)) {
        watched.add(pc);
        pc.addEventListener('connectionstatechange', () => el.requestUpdate());
      }
      if (el.state !== 'connected') return;
      const session = el.session;
      // Separate updates: a voice change is refused once the model has spoken, and a refused update changes nothing.
      if (changed.has('instructions')) session.updateSession({ instructions: el.instructions });
      if (changed.has('voice') && el.voice) session.updateSession({ audio: { output: { voice: el.voice } } });
      // Sent only where the call's session differs from them (src/session/settings.ts).
      session.options = { ...session.options, settings: host.settings() };
      session.syncSettings();
    },
    styles: css`
      .talk {
        touch-action: none;
        user-select: none;
      }
    `,
    /**
     * The network path interrupted (a tunnel, Wi-Fi lost for seconds): the call may still come back, and
     * the silence is explained meanwhile; after the grace period the call is replaced ("reconnecting").
     * Else, where the microphone has no echo cancellation (Safari on some devices, some headsets), the
     * model may hear itself.
     */
    hint: (given) => {
      if (el.state !== 'connected' || el.layout === 'compact') return nothing;
      const s = { ...controlsWords, ...given };
      if (el.session.peerConnection?.connectionState === 'disconnected')
        return html`<p part="hint" class="status" role="status" dir="auto">${s.networkInterrupted}</p>`;
      return el.session.echoCancelled === false
        ? html`<p part="hint" class="status" dir="auto">${s.useHeadphones}</p>`
        : nothing;
    },
    render: (given) => {
      const s = { ...controlsWords, ...given };
      if (el.state !== 'connected') return nothing;
      // Every layout needs it: without it a blocked voice stays silent.
      const sound = el.session.audioBlocked
        ? html`<button part="sound-button" class="secondary" type="button" @click=${onSound}>${s.enableSound}</button>`
        : nothing;
      // The compact layout is the main button alone (and the sound button when it is needed).
      if (el.layout === 'compact') return sound;
      return html`${
        el.pushToTalk
          ? html`<button part="talk-button" class="secondary talk" type="button" aria-pressed=${el.session.talking ? 'true' : 'false'}
              @pointerdown=${onTalkDown} @pointerup=${onTalkUp} @pointercancel=${onTalkUp} @lostpointercapture=${onTalkUp}
              @keydown=${onTalkKey} @keyup=${onTalkKey} @contextmenu=${prevent}>${s.holdToTalk}</button>`
          : nothing
      }${
        host.activity() === 'assistant-speaking'
          ? html`<button part="interrupt-button" class="secondary" type="button" @click=${() => el.interrupt()}>${s.interrupt}</button>`
          : nothing
      }<button part="mute-button" class="secondary" type="button" aria-pressed=${el.muted ? 'true' : 'false'} @click=${() => (el.muted = !el.muted)}>
        ${el.muted ? s.unmute : s.mute}
      </button>${sound}`;
    },
  };
};
export default controls;
