/**
 * PCM helpers: WAV parsing, resampling and loudness. WebRTC in Node
 * (@roamhq/wrtc) hands the emulator 10 ms frames of 16-bit PCM, and takes
 * the same back, at 48 kHz.
 */

export const RATE = 48_000;
/** Samples in one 10 ms frame at 48 kHz: the unit RTCAudioSource and RTCAudioSink work in. */
export const FRAME = RATE / 100;

export interface Pcm {
  samples: Int16Array;
  sampleRate: number;
}

/** Reads a mono or stereo 16-bit PCM WAV (as espeak-ng writes it); stereo is mixed down. */
export function parseWav(bytes: Uint8Array): Pcm {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file');
  let offset = 12;
  let channels = 1;
  let sampleRate = 0;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    let size = view.getUint32(offset + 4, true);
    if (id === 'fmt ') {
      channels = view.getUint16(offset + 10, true);
      sampleRate = view.getUint32(offset + 12, true);
      const bits = view.getUint16(offset + 22, true);
      if (bits !== 16) throw new Error(`unsupported WAV: ${bits}-bit`);
    } else if (id === 'data') {
      // espeak-ng writing to a pipe leaves the size as 0x7fffffff: take what is there.
      size = Math.min(size, bytes.length - offset - 8);
      const frames = Math.floor(size / 2 / channels);
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += view.getInt16(offset + 8 + (i * channels + c) * 2, true);
        samples[i] = Math.round(sum / channels);
      }
      return { samples, sampleRate };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('WAV without a data chunk');
}

/** Linear-interpolation resampling; plenty for speech played over Opus. */
export function resample(input: Pcm, rate: number): Int16Array {
  if (input.sampleRate === rate) return input.samples;
  const ratio = input.sampleRate / rate;
  const out = new Int16Array(Math.floor(input.samples.length / ratio));
  for (let i = 0; i < out.length; i++) {
    const x = i * ratio;
    const i0 = Math.floor(x);
    const i1 = Math.min(i0 + 1, input.samples.length - 1);
    const t = x - i0;
    out[i] = Math.round(input.samples[i0]! * (1 - t) + input.samples[i1]! * t);
  }
  return out;
}

/** Root mean square of a frame, 0..1 of full scale. */
export function rms(samples: Int16Array, channels = 1): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i += channels) {
    const s = samples[i]! / 32768;
    sum += s * s;
  }
  return Math.sqrt(sum / (samples.length / channels));
}

/** Writes 16-bit mono PCM as a WAV file (the tests' fake microphone input). */
export function encodeWav(samples: Int16Array, sampleRate: number): Uint8Array {
  const bytes = new Uint8Array(44 + samples.length * 2);
  const view = new DataView(bytes.buffer);
  const write = (at: number, text: string) => [...text].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
  write(0, 'RIFF');
  view.setUint32(4, 36 + samples.length * 2, true);
  write(8, 'WAVE');
  write(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  write(36, 'data');
  view.setUint32(40, samples.length * 2, true);
  for (let i = 0; i < samples.length; i++) view.setInt16(44 + i * 2, samples[i]!, true);
  return bytes;
}
