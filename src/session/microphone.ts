import type { Attempt } from './attempt.js';
import type { SessionView } from './session-view.js';
import { AttemptAborted, RealtimeError, microphoneError } from './errors.js';

/** What the microphone is opened with: the page's constraints over echo cancellation, noise suppression and auto gain. */
export interface MicrophoneOptions {
  audioConstraints?: MediaTrackConstraints;
  inputDeviceId?: string;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
}

export function getMicrophone(options: MicrophoneOptions): Promise<MediaStream> {
  const { getUserMedia, audioConstraints, inputDeviceId } = options;
  const audio: MediaTrackConstraints = {
    echoCancellation: true,
    noiseSuppression: true,
    autoGainControl: true,
    ...audioConstraints,
  };
  if (inputDeviceId) audio.deviceId = { exact: inputDeviceId };
  const constraints = { audio, video: false };
  return getUserMedia ? getUserMedia(constraints) : navigator.mediaDevices.getUserMedia(constraints);
}

/** Opens the microphone for the attempt; a stop() during the permission prompt releases it at once. */
export async function openMicrophone(attempt: Attempt, options: MicrophoneOptions): Promise<MediaStream> {
  let stream: MediaStream;
  try {
    stream = await getMicrophone(options);
  } catch (error) {
    throw microphoneError(error);
  }
  if (attempt.disposed) {
    stream.getTracks().forEach((track) => track.stop());
    throw new AttemptAborted();
  }
  return (attempt.stream = stream);
}

/** The microphone sends only when `on` (not muted and, in push-to-talk, while talking). */
export function enableMicrophone(attempt: Attempt | undefined, on: boolean): void {
  attempt?.stream?.getAudioTracks().forEach((track) => (track.enabled = on));
}

/** Calls `onEnded` when a track of the stream ends (unplugged, permission revoked), for as long as the attempt lives. */
export function watchMicrophone(attempt: Attempt, stream: MediaStream, onEnded: () => void): void {
  for (const track of stream.getAudioTracks()) {
    // Tied to the attempt: a listener left on a finished track kept the whole attempt reachable.
    track.addEventListener('ended', onEnded, { signal: attempt.abort.signal });
  }
}

/**
 * Opens the chosen microphone and puts it on the call's sender without reconnecting
 * (`RTCRtpSender.replaceTrack`); throws what getUserMedia threw. Returns the new stream, or
 * undefined when there is no call to put it on.
 */
export async function replaceMicrophone(
  attempt: Attempt,
  options: MicrophoneOptions,
): Promise<MediaStream | undefined> {
  const sender = attempt.pc?.getSenders().find((s) => s.track?.kind === 'audio');
  if (!sender || attempt.disposed) return undefined;
  const stream = await getMicrophone(options);
  if (attempt.disposed) {
    stream.getTracks().forEach((track) => track.stop());
    throw new AttemptAborted();
  }
  const old = attempt.stream;
  attempt.stream = stream;
  await attempt.guard(sender.replaceTrack(stream.getAudioTracks()[0] ?? null));
  old?.getTracks().forEach((track) => track.stop());
  return stream;
}

/**
 * False when echo cancellation was asked for and the microphone has none (some browsers and
 * devices): the model may then hear its own voice through the speakers.
 */
export function echoCancelled(
  stream: MediaStream | undefined,
  asked: MediaTrackConstraints | undefined,
): boolean | undefined {
  const track = stream?.getAudioTracks()[0];
  if (!track || asked?.echoCancellation === false) return undefined;
  const settings = track.getSettings() as MediaTrackSettings;
  return typeof settings.echoCancellation === 'boolean' ? settings.echoCancellation : undefined;
}

/** What the microphone's watcher needs of the session. */
export type MicrophoneHost = Pick<SessionView, 'options' | 'choose' | 'state' | 'applyMicrophone' | 'report' | 'fail'>;

/**
 * Switches the microphone during a call without reconnecting (before a call it only chooses the
 * device). Throws what getUserMedia threw; the call then goes on with the old one.
 */
export async function switchMicrophone(host: MicrophoneHost, attempt: Attempt): Promise<void> {
  const stream = await replaceMicrophone(attempt, host.options());
  if (stream) watchWithFallback(host, attempt, stream);
  host.applyMicrophone();
}

/**
 * The page chose another microphone: during a call it is switched without reconnecting. False (and a
 * non-fatal error) when the device cannot be opened; the call goes on with the old one.
 */
export async function chooseMicrophone(host: MicrophoneHost, attempt: Attempt | undefined): Promise<boolean> {
  try {
    if (attempt) await switchMicrophone(host, attempt);
    return true;
  } catch (error) {
    if (!(error instanceof AttemptAborted)) host.report(microphoneError(error).nonFatal());
    return false;
  }
}

/**
 * A microphone unplugged (or revoked) mid-call: fall back to the system's default device without
 * dropping the call; only when there is none does the call end.
 */
export function watchWithFallback(host: MicrophoneHost, attempt: Attempt, stream: MediaStream): void {
  watchMicrophone(attempt, stream, async () => {
    if (attempt.disposed || attempt.stream !== stream) return;
    const chosen = host.options().inputDeviceId;
    try {
      if (host.state() !== 'connected') throw new DOMException('not connected', 'NotFoundError');
      host.choose(undefined);
      await switchMicrophone(host, attempt);
      const message = 'The microphone was disconnected; the default microphone is used now.';
      host.report(new RealtimeError('microphone-not-found', message, { fatal: false }));
    } catch (error) {
      host.choose(chosen);
      // A revoked permission says so; anything else means no microphone is left.
      const denied = microphoneError(error);
      const message =
        'The microphone stopped (unplugged or permission revoked) and no other was found. Connect one and start again.';
      host.fail(
        attempt,
        denied.code === 'microphone-denied' ? denied : new RealtimeError('microphone-not-found', message),
      );
    }
  });
}

/**
 * The token request (or the token fetched ahead) and the microphone prompt, overlapped: both take
 * human or network time. Whichever fails first decides the error; the other is released with the
 * attempt. Resolves with the signaling ready for the offer.
 */
export async function prepareCall<S extends { prepare(context: C): Promise<void> }, C>(
  host: MicrophoneHost,
  attempt: Attempt,
  signaling: S,
  context: C,
  warm: Promise<S> | undefined,
): Promise<S> {
  const opened = openMicrophone(attempt, host.options()).then((stream) => {
    watchWithFallback(host, attempt, stream);
    host.applyMicrophone();
  });
  const mic = attempt.guard(opened);
  const prepared = attempt.guard((async () => (await warm) ?? (await signaling.prepare(context), signaling))());
  prepared.catch(() => {});
  mic.catch(() => {});
  const [, ready] = await Promise.all([mic, prepared] as const);
  return ready;
}
