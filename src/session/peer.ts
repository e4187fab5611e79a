import type { Attempt } from './attempt.js';
import { AttemptAborted, RealtimeError } from './errors.js';
import { DATA_CHANNEL_REFUSED, whenOpen } from './health.js';
import type { SdpAnswer, Signaling, SignalingContext } from './signaling.js';

/** What the call's peer connection reports while it is set up. */
export interface PeerHooks {
  dataChannelLabel?: string;
  /** The model's voice arrived. */
  track(stream: MediaStream): void;
  message(message: MessageEvent): void;
}

/**
 * The WebRTC half of connecting: a peer connection with the microphone's track and the event channel,
 * the offer sent through `signaling`, the answer applied, and the channel open. Everything goes on the
 * attempt, so a stop() at any await releases it.
 */
export async function negotiate(
  attempt: Attempt,
  signaling: Signaling,
  context: SignalingContext,
  hooks: PeerHooks,
): Promise<SdpAnswer> {
  const pc = new RTCPeerConnection();
  attempt.pc = pc;
  const { signal } = attempt.abort;
  pc.addEventListener('track', (e) => hooks.track(e.streams[0] ?? new MediaStream([e.track])), { signal });
  for (const track of attempt.stream!.getAudioTracks()) pc.addTrack(track, attempt.stream!);
  // Before the offer, or the offer has no m=application section and no event ever arrives.
  const dc = pc.createDataChannel(hooks.dataChannelLabel ?? 'oai-events');
  attempt.dc = dc;
  const open = whenOpen(attempt, pc, dc);
  open.promise.catch(() => {});
  dc.addEventListener('message', hooks.message, { signal });

  const offer = await attempt.guard(pc.createOffer());
  await attempt.guard(pc.setLocalDescription(offer));
  // No wait for ICE gathering: the service (ICE-lite) learns our address from our checks.
  const answer = await attempt.guard(signaling.exchange(pc.localDescription?.sdp ?? offer.sdp ?? '', context));
  try {
    await attempt.guard(pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp }));
  } catch (error) {
    if (attempt.disposed) throw new AttemptAborted();
    const why = String((error as Error).message).trim();
    throw new RealtimeError('sdp-rejected', `The service's SDP answer could not be used: ${why}`, { cause: error });
  }
  // An answer that rejects the data channel (port 0): Chromium closes the channel, Firefox leaves
  // it "connecting" until the deadline. Say so now, the same way in every engine.
  if (/^m=application 0 /m.test(answer.sdp)) throw new RealtimeError('data-channel-closed', DATA_CHANNEL_REFUSED);
  open.deadline(context.timeoutMs);
  await attempt.guard(open.promise);
  return answer;
}
