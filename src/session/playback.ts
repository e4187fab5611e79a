import type { Attempt } from './attempt.js';
import { RealtimeError } from './errors.js';

/**
 * Synchronous, inside the user's gesture: creates (or takes the page's) audio element and starts it,
 * so later playback is allowed by autoplay rules and iOS.
 */
export function prepareAudio(attempt: Attempt, own: HTMLAudioElement | undefined, parent: Node | undefined): void {
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

/** Plays the model's voice; `onBlocked` hears when the browser refuses until the user interacts. */
export function playRemote(attempt: Attempt, stream: MediaStream, onBlocked: (error: RealtimeError) => void): void {
  const audio = attempt.audio;
  if (!audio || attempt.disposed) return;
  audio.srcObject = stream;
  audio.play().catch((error: unknown) => {
    if (attempt.disposed || (error as Error)?.name !== 'NotAllowedError') return;
    onBlocked(
      new RealtimeError(
        'autoplay-blocked',
        'The browser blocked the assistant\'s voice until you interact with the page. Click "Enable sound" to hear it.',
        { cause: error, fatal: false },
      ),
    );
  });
}

/** Plays into the speaker `id` where `setSinkId` exists ('' or 'default': the system's). */
export async function applySink(audio: HTMLAudioElement, id: string | undefined): Promise<void> {
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

/** Plays into the speaker `id`; resolves with why it could not (the call goes on with the old one). */
export function playOn(audio: HTMLAudioElement, id: string | undefined): Promise<RealtimeError | undefined> {
  return applySink(audio, id).then(
    () => undefined,
    (error: unknown) => {
      const message = `The speaker could not be changed: ${(error as Error).message}`;
      return new RealtimeError('output-device-failed', message, { cause: error, fatal: false });
    },
  );
}

/** Playback again after the browser blocked it (call from a click); resolves whether it plays now. */
export function resumePlayback(audio: HTMLAudioElement | undefined): Promise<boolean> {
  return audio
    ? audio.play().then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
}
