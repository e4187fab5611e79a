// The browser engines `npm test` runs besides Chromium, and the Debian packages that bring them:
// Firefox ESR with PulseAudio (its sound card and microphone), WebKitGTK's MiniBrowser with its
// WebDriver and an X server. On a Debian machine as root, missing ones are installed (as
// find-chromium.mjs does for Chromium); elsewhere the run says which engines it lacks.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = {
  firefox: {
    commands: ['firefox-esr', 'pulseaudio', 'pactl', 'paplay'],
    packages: ['firefox-esr', 'pulseaudio', 'pulseaudio-utils'],
  },
  webkit: { commands: ['WebKitWebDriver', 'Xvfb'], packages: ['webkit2gtk-driver', 'xvfb'] },
};

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

/** Installs what the wanted engines lack, where it can; returns the engines still missing a part. */
export function ensureEngines(wanted = ['firefox', 'webkit']) {
  const lacking = wanted.filter((engine) => PACKAGES[engine] && !PACKAGES[engine].commands.every(has));
  if (lacking.length && canAptInstall()) {
    const packages = lacking.flatMap((engine) => PACKAGES[engine].packages);
    console.log(`[realtime-voice] Installing the Debian packages for ${lacking.join(' and ')}: ${packages.join(' ')}…`);
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  return wanted.filter((engine) => PACKAGES[engine] && !PACKAGES[engine].commands.every(has));
}

function canAptInstall() {
  return (
    process.platform === 'linux' &&
    existsSync('/etc/debian_version') &&
    process.getuid?.() === 0 &&
    existsSync('/usr/bin/apt-get')
  );
}
