// @roamhq/wrtc ships no types: the standard classes are the DOM's; the nonstandard
// audio source and sink are described here as the emulator uses them.
declare module '@roamhq/wrtc' {
  interface AudioData {
    samples: Int16Array;
    sampleRate: number;
    bitsPerSample?: number;
    channelCount?: number;
    numberOfFrames?: number;
  }
  export class RTCAudioSource {
    createTrack(): unknown;
    onData(data: AudioData): void;
  }
  export class RTCAudioSink {
    constructor(track: unknown);
    ondata: ((data: AudioData & { channelCount: number }) => void) | null;
    stop(): void;
  }
  const wrtc: {
    RTCPeerConnection: new (config?: unknown) => unknown;
    /** Also takes `{ id }` (nonstandard): the stream id the SDP's a=msid carries. */
    MediaStream: new (tracksOrInit?: unknown[] | { id: string }) => unknown;
    RTCRtpReceiver: { getCapabilities(kind: string): { codecs: RTCRtpCodec[] } | null };
    nonstandard: { RTCAudioSource: typeof RTCAudioSource; RTCAudioSink: typeof RTCAudioSink };
  };
  export default wrtc;
}
