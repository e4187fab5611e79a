/** A private PulseAudio for Firefox under test (see pulseaudio.mjs). */
export function hasPulseAudio(): boolean;
export interface PulseAudio {
  env: Record<string, string>;
  playMicrophone(wav: string): void;
  restartMicrophone(): void;
  stop(): void;
}
export function startPulseAudio(dir: string): Promise<PulseAudio>;
