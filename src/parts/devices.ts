/** The devices part (`realtime-voice.devices.js`): microphone and speaker pickers. */
import { devicesWords } from '../i18n/en-devices.js';
import type { PartFactory } from './kit.js';

/** The speaker list's last option: opens the browser's own speaker chooser (no device has this id). */
const CHOOSE_SPEAKER = '?choose';

/** Firefox's speaker chooser; not yet in TypeScript's DOM library. */
type SpeakerChooser = { selectAudioOutput?(options?: { deviceId?: string }): Promise<MediaDeviceInfo> };
const speakerChooser = () =>
  (globalThis.navigator?.mediaDevices as (MediaDevices & SpeakerChooser) | undefined)?.selectAudioOutput;

const devices: PartFactory = ({ html, nothing, css }, host) => {
  const el = host.element;
  let list: MediaDeviceInfo[] = [];
  const listDevices = async () => {
    if (!el.devices) return;
    try {
      list = await navigator.mediaDevices.enumerateDevices();
    } catch {
      list = [];
    }
    el.requestUpdate();
  };
  const watch = () => navigator.mediaDevices?.addEventListener?.('devicechange', listDevices);
  watch();
  void listDevices();

  /**
   * Firefox lists a speaker only once the page may use it (after the microphone is granted, or
   * picked in its own chooser): "choose another" opens that chooser, inside the user's gesture.
   */
  const onSpeakerChange = async (event: Event) => {
    const select = event.target as HTMLSelectElement;
    if (select.value !== CHOOSE_SPEAKER) return void (el.outputDevice = select.value);
    select.value = el.outputDevice;
    try {
      const chosen = await speakerChooser()!.call(navigator.mediaDevices, { deviceId: el.outputDevice || undefined });
      await listDevices();
      el.outputDevice = chosen.deviceId;
    } catch (error) {
      // Dismissed (NotAllowedError): the speaker stays as it was, as the user chose.
      if ((error as Error).name !== 'NotAllowedError')
        host.report('output-device-failed', `The speaker chooser failed: ${(error as Error).message}`, error);
    }
  };

  const pick = (
    kind: MediaDeviceKind,
    name: string,
    selected: string,
    onChange: (e: Event) => void,
    other?: string,
  ) => {
    // Before permission, engines list one nameless device of no id per kind (shown as the default alone);
    // Firefox lists a device once per kind of use, with the same id: each id is shown once.
    const ids = new Set<string>();
    const shown = list.filter(
      (d) => d.kind === kind && d.deviceId !== 'default' && d.deviceId && !ids.has(d.deviceId) && ids.add(d.deviceId),
    );
    return html`<label>${name}
        <select @change=${onChange}>
          <option value="" ?selected=${!selected}>${host.words().defaultDevice ?? devicesWords.defaultDevice}</option>
          ${shown.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === selected}>${d.label || `${name} ${i + 1}`}</option>`)}
          ${other ? html`<option value=${CHOOSE_SPEAKER}>${other}</option>` : nothing}
        </select></label>`;
  };

  return {
    styles: css`
      .devices {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        flex-basis: 100%;
        font-size: 0.9em;
      }
      .devices label {
        display: grid;
      }
    `,
    render: (given) => {
      const s = { ...devicesWords, ...given };
      if (!el.devices || el.layout === 'compact') return undefined;
      const canSink = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
      const other = speakerChooser() ? s.otherSpeaker : undefined;
      return html`<div part="devices" class="devices">
        ${pick('audioinput', s.microphone, el.inputDevice, (e) => (el.inputDevice = (e.target as HTMLSelectElement).value))}
        ${canSink ? pick('audiooutput', s.speaker, el.outputDevice, onSpeakerChange, other) : nothing}
      </div>`;
    },
    state: (next) => next === 'connected' && void listDevices(),
    updated: (changed) => changed.has('devices') && el.devices && void listDevices(),
    connected: watch,
    disconnected: () => navigator.mediaDevices?.removeEventListener?.('devicechange', listDevices),
  };
};
export default devices;
