/** Loudness of whatever stream `streamOf` gives at each tick (an analyser made again when it changes). */
export class AudioMeter {
  readonly samples: Array<{ at: number; rms: number }> = [];
  readonly #context = new AudioContext();
  readonly #timer: ReturnType<typeof setInterval>;
  #source?: { stream: MediaStream; analyser: AnalyserNode };

  constructor(private readonly streamOf: () => MediaProvider | null | undefined) {
    const buffer = new Float32Array(1024);
    this.#timer = setInterval(() => {
      const analyser = this.#analyser();
      let rms = 0;
      if (analyser) {
        analyser.getFloatTimeDomainData(buffer);
        let sum = 0;
        for (const v of buffer) sum += v * v;
        rms = Math.sqrt(sum / buffer.length);
      }
      this.samples.push({ at: performance.now(), rms });
    }, 20);
  }

  /** Loudest RMS between two times (performance.now()). */
  max(from: number, to = performance.now()): number {
    return Math.max(0, ...this.samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.rms));
  }

  stop(): void {
    clearInterval(this.#timer);
    void this.#context.close();
  }

  /** The analyser of the current stream (made again if the page swaps it), or none. */
  #analyser(): AnalyserNode | undefined {
    const stream = this.streamOf();
    if (!(stream instanceof MediaStream) || stream.getAudioTracks().length === 0) return undefined;
    if (this.#source?.stream !== stream) {
      const analyser = this.#context.createAnalyser();
      analyser.fftSize = 1024;
      this.#context.createMediaStreamSource(stream).connect(analyser);
      this.#source = { stream, analyser };
    }
    return this.#source.analyser;
  }
}

/**
 * Loudness of what a page's <audio> element plays: an AnalyserNode on the
 * element's `srcObject`, sampled every 20 ms. It measures the stream the page
 * hands to the element, not the peer connection's receiver: a page whose
 * ontrack got no stream (`event.streams[0]` undefined) plays nothing, and this
 * reads 0 for it, as a listener would hear.
 */
export class PlayedAudioMeter extends AudioMeter {
  constructor(readonly audio: HTMLMediaElement) {
    super(() => audio.srcObject);
  }
}
