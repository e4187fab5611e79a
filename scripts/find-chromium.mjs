// Finds a Chromium/Chrome for the browser tests: CHROME_PATH, then the usual
// install paths. With `{ install: true }` on a Debian/Ubuntu machine running
// as root it installs the distribution's `chromium` package, saying so;
// anywhere else it stops with a message saying what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/snap/bin/chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
];

export function findChromium({ install = false } = {}) {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    fail(`CHROME_PATH is set to ${fromEnv}, but there is no file there.`);
  }
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  if (install && canAptInstall()) {
    console.log(
      '[realtime-voice] No Chromium found: installing the Debian package "chromium" (apt-get update && apt-get install -y chromium)…',
    );
    execFileSync('apt-get', ['update'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  fail(
    'No Chromium or Chrome was found for the browser tests. Install one (Debian/Ubuntu: `sudo apt-get install chromium`; macOS: Google Chrome) or set CHROME_PATH to its executable.',
  );
}

function canAptInstall() {
  return (
    process.platform === 'linux' &&
    existsSync('/etc/debian_version') &&
    process.getuid?.() === 0 &&
    existsSync('/usr/bin/apt-get')
  );
}

function fail(message) {
  console.error(`[realtime-voice] ${message}`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(findChromium({ install: process.argv.includes('--install') }));
}
