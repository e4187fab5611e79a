/** Firefox for the tests and the bench (see firefox-launcher.mjs). */
export const FIREFOX_PATH: string;
export function hasFirefox(): boolean;
export interface FirefoxOptions {
  /** The browser's environment: the private PulseAudio's (pulseaudio.mjs). */
  env: Record<string, string>;
  /** Firefox's own fake microphone (a tone); false: the audio server's default source. */
  fakeMicrophone?: boolean;
  prefs?: Record<string, unknown>;
}
export function firefoxLaunchOptions(options: FirefoxOptions): Record<string, unknown>;
export function firefox(options: FirefoxOptions): unknown;
