import type { Attempt } from './attempt.js';
import { AttemptAborted, microphoneError } from './errors.js';

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
