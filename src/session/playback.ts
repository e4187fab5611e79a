import type { Attempt } from './attempt.js';
import { RealtimeError } from './errors.js';
import type { RealtimeSessionOptions } from './options.js';

/**
 * Synchronous, inside the user's gesture: creates (or takes the page's) audio element and starts it,
 * so later playback is allowed by autoplay rules and iOS.
 */
function prepareAudio(attempt: Attempt, own: HTMLAudioElement | undefined, parent: Node | undefined): void {
  // A realtime-state listener may have stopped the attempt at `connecting`: an element made now would never be removed.
  if (typeof document === 'undefined' || attempt.disposed) return;
  let audio = own;
  if (!audio) {
    audio = document.createElement('audio');
    audio.setAttribute('playsinline', '');
    audio.hidden = true;
    (parent ?? document.body).appendChild(audio);
    attempt.ownsAudio = true;
  }
  audio.autoplay = true;
  attempt.audio = audio;
  audio.play().catch(() => {
    /* nothing to play yet; this call only unlocks playback for later */
  });
}

/** Plays into the speaker `id` where `setSinkId` exists ('' or 'default': the system's). */
async function applySink(audio: HTMLAudioElement, id: string | undefined): Promise<void> {
  if (id === undefined) return;
  const sinkable = audio as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
  if (!sinkable.setSinkId) {
    // Safari and WebKitGTK: only the default speaker, which is what is asked for.
    if (id === '' || id === 'default') return;
    throw new Error('this browser cannot choose the output device (no setSinkId)');
  }
  // '' is the spec's default device; Chromium also calls it 'default', Firefox knows no such id.
  await sinkable.setSinkId(id === 'default' ? '' : id);
}

/**
 * The model's voice for one session: each call's audio element, unlocked inside the click, the
 * speaker it plays on, and whether the browser blocks it until the user clicks. Problems are
 * reported (not fatal): the call goes on.
 */
export class Speaker {
  /** The browser refuses to play the voice until the user clicks (`resume()` from a click). */
  blocked = false;

  constructor(private readonly report: (error: RealtimeError) => void) {}

  /** A new call, inside the click: its audio element is made (or the page's taken) and started, on the chosen speaker. */
  prepare(attempt: Attempt, options: RealtimeSessionOptions): void {
    this.blocked = false;
    prepareAudio(attempt, options.audioElement, options.audioParent);
    void this.playOn(attempt.audio, options.outputDeviceId);
  }

  /** The model's voice arrived: it plays, or the browser says it waits for a click. */
  play(attempt: Attempt, stream: MediaStream): void {
    const audio = attempt.audio;
    attempt.remote = stream;
    if (!audio || attempt.disposed) return;
    audio.srcObject = stream;
    audio.play().catch((error: unknown) => {
      if (attempt.disposed || (error as Error)?.name !== 'NotAllowedError') return;
      this.blocked = true;
      this.report(
        new RealtimeError(
          'autoplay-blocked',
          'The browser blocked the assistant\'s voice until you interact with the page. Click "Enable sound" to hear it.',
          { cause: error, fatal: false },
        ),
      );
    });
  }

  /** Plays on the speaker `id`; false when it cannot (reported): the voice stays on the old one. */
  async playOn(audio: HTMLAudioElement | undefined, id: string | undefined): Promise<boolean> {
    if (!audio) return true;
    try {
      await applySink(audio, id);
      return true;
    } catch (error) {
      const message = `The speaker could not be changed: ${(error as Error).message}`;
      this.report(new RealtimeError('output-device-failed', message, { cause: error, fatal: false }));
      return false;
    }
  }

  /** Playback again after the browser blocked it (call from a click); resolves whether it plays now. */
  async resume(audio: HTMLAudioElement | undefined): Promise<boolean> {
    if (!audio) return false;
    try {
      await audio.play();
      this.blocked = false;
      return true;
    } catch {
      return false;
    }
  }
}
