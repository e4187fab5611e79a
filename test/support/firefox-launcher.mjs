// Firefox for @web/test-runner: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi,
// through @web/test-runner-chrome's launcher (it takes a puppeteer instance; nothing is downloaded).
import { ChromeLauncher } from '@web/test-runner-chrome';
import { existsSync } from 'node:fs';
import * as puppeteer from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

export function hasFirefox() {
  return existsSync(FIREFOX_PATH);
}

/** Prefs that make Firefox testable headless: media without prompts, loopback ICE, autoplay allowed. */
const basePrefs = {
  'media.navigator.permission.disabled': true,
  // Loopback is the only network here; Firefox gathers no loopback candidates unless told.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  // For the insecure-context test: a non-localhost name served over plain HTTP (Chromium: --host-resolver-rules).
  'network.dns.localDomains': 'insecure.test',
  // No updates, telemetry or first-run pages on a machine with only loopback.
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
};

/** puppeteer.launch() options for Firefox (also used by the bench); see firefox() for the parameters. */
export function firefoxLaunchOptions({ env, fakeMicrophone = true, prefs = {} }) {
  return {
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    env: { ...process.env, ...env },
    extraPrefsFirefox: { ...basePrefs, 'media.navigator.streams.fake': fakeMicrophone, ...prefs },
  };
}

/**
 * A @web/test-runner launcher for Firefox.
 * @param {object} options
 * @param {Record<string, string>} options.env  the browser's environment: PULSE_SERVER for its audio device
 *   (headless Firefox starts no AudioContext without one; see pulseaudio.mjs)
 * @param {boolean} [options.fakeMicrophone]  Firefox's own fake microphone (a tone); false: the
 *   audio server's default source is the microphone (the e2e suites play speech into it)
 * @param {Record<string, unknown>} [options.prefs]
 */
export function firefox(options) {
  return new ChromeLauncher(
    firefoxLaunchOptions(options),
    ({ browser }) => browser.defaultBrowserContext(),
    ({ context }) => context.newPage(),
    puppeteer,
  );
}
