import { AttemptAborted } from './errors.js';

/**
 * Everything one connection attempt owns. Disposing it releases all of it,
 * whatever step the attempt had reached; it is idempotent, so stop(), a
 * failure and element removal can all call it without coordinating.
 */
export class Attempt {
  readonly abort = new AbortController();
  stream?: MediaStream;
  pc?: RTCPeerConnection;
  dc?: RTCDataChannel;
  audio?: HTMLAudioElement;
  /** The model's voice, as received. */
  remote?: MediaStream;
  /** True when the session created `audio` and must remove it from the page. */
  ownsAudio = false;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #disposed = false;

  get disposed(): boolean {
    return this.#disposed;
  }

  get timerCount(): number {
    return this.#timers.size;
  }

  /**
   * Settles with `promise`, or rejects with AttemptAborted as soon as the
   * attempt is disposed. Needed because a peer connection closed mid-way
   * leaves its pending createOffer/setLocalDescription promises unsettled
   * forever (as the WebRTC spec says), which would hang start().
   */
  guard<T>(promise: Promise<T>): Promise<T> {
    if (this.#disposed) return Promise.reject(new AttemptAborted());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new AttemptAborted());
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          this.abort.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.abort.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  setTimer(callback: () => void, ms: number): ReturnType<typeof setTimeout> {
    const id = setTimeout(() => {
      this.#timers.delete(id);
      if (!this.#disposed) callback();
    }, ms);
    this.#timers.add(id);
    return id;
  }

  clearTimer(id: ReturnType<typeof setTimeout> | undefined): void {
    if (id === undefined) return;
    clearTimeout(id);
    this.#timers.delete(id);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // Removes every listener the session added to the channel and the connection (registered with
    // this signal), so a close we cause is not a failure to report.
    this.abort.abort();
    for (const id of this.#timers) clearTimeout(id);
    this.#timers.clear();
    this.dc?.close();
    this.stream?.getTracks().forEach((track) => track.stop());
    if (this.pc) {
      this.pc.getSenders().forEach((sender) => sender.track?.stop());
      this.pc.close();
    }
    if (this.audio) {
      this.audio.pause();
      this.audio.srcObject = null;
      if (this.ownsAudio) this.audio.remove();
    }
    this.stream = this.remote = this.pc = this.dc = this.audio = undefined;
  }
}
