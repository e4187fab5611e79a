/**
 * A browser client written the way Microsoft's article "Use the GPT Realtime
 * API via WebRTC" writes its own (on purpose: pages copied from it must work
 * with the emulator as with the service): a token from the page's server,
 * `pc.addTrack(micTrack)` with no stream, a data channel named
 * `realtime-channel`, an `<audio autoplay>` element whose `srcObject` is
 * `event.streams[0]`, and the offer POSTed as application/sdp with
 * `Authorization: Bearer <ephemeral key>` (or as a form to `/connect`). Only the event log and the handles
 * it returns are the test's.
 */
import type { Payload } from '../../support/payload.js';

export interface SampleClient {
  pc: RTCPeerConnection;
  dataChannel: RTCDataChannel;
  audioElement: HTMLAudioElement;
  callId: string;
  /** Every server event that came on the data channel, with the time it came. */
  events: Array<{ type: string; at: number; detail: Payload }>;
  /** performance.now() when the data channel opened. */
  opened: Promise<number>;
  close(): void;
}

/**
 * `{ tokenUrl }`: the article's first flow (an ephemeral key from your server, the offer to the
 * service). `{ connectUrl }`: its second, where the browser posts the offer to your server's
 * `/connect` as `FormData` with an `sdp` field and never sees a key.
 */
export async function startLikeMicrosoftsSample(
  via: { tokenUrl: string } | { connectUrl: string },
  instructions: string,
): Promise<SampleClient> {
  const pc = new RTCPeerConnection();

  const audioElement = document.createElement('audio');
  audioElement.autoplay = true;
  document.body.appendChild(audioElement);

  pc.ontrack = (event) => {
    audioElement.srcObject = event.streams[0]!;
  };

  const clientMedia = await navigator.mediaDevices.getUserMedia({ audio: true });
  const audioTrack = clientMedia.getAudioTracks()[0]!;
  pc.addTrack(audioTrack);

  const dataChannel = pc.createDataChannel('realtime-channel');
  const events: SampleClient['events'] = [];
  const opened = new Promise<number>((resolve) => {
    dataChannel.addEventListener('open', () => {
      updateSession(dataChannel, instructions);
      resolve(performance.now());
    });
  });
  dataChannel.addEventListener('message', (event) => {
    const realtimeEvent = JSON.parse(event.data);
    events.push({ type: realtimeEvent.type, at: performance.now(), detail: realtimeEvent });
  });

  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);

  let sdpResponse: Response;
  if ('connectUrl' in via) {
    const formData = new FormData();
    formData.append('sdp', offer.sdp!);
    sdpResponse = await fetch(via.connectUrl, { method: 'POST', body: formData });
  } else {
    // "Get an ephemeral key from your server": the reference server's /token.
    const tokenResponse = await fetch(via.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    const data = await tokenResponse.json();
    const ephemeralKey: string = data.value;
    const webrtcUrl: string = data.calls_url;
    sdpResponse = await fetch(webrtcUrl, {
      method: 'POST',
      body: offer.sdp,
      headers: {
        Authorization: `Bearer ${ephemeralKey}`,
        'Content-Type': 'application/sdp',
      },
    });
  }
  if (sdpResponse.status !== 201) throw new Error(`calls answered ${sdpResponse.status}: ${await sdpResponse.text()}`);
  const callId = (sdpResponse.headers.get('Location') ?? '').split('/').pop()!;
  const answer: RTCSessionDescriptionInit = { type: 'answer', sdp: await sdpResponse.text() };
  await pc.setRemoteDescription(answer);

  return {
    pc,
    dataChannel,
    audioElement,
    callId,
    events,
    opened,
    close() {
      dataChannel.close();
      pc.close();
      audioTrack.stop();
      audioElement.remove();
    },
  };
}

/** The sample's updateSession: instructions as a GA session.update once the channel is open. */
function updateSession(dataChannel: RTCDataChannel, instructions: string): void {
  const event = { type: 'session.update', session: { type: 'realtime', instructions } };
  dataChannel.send(JSON.stringify(event));
}
