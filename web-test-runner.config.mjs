// Browser tests: real headless Chromium (the system's, see scripts/find-chromium.mjs)
// with a fake microphone, real WebRTC and a real HTTP token service.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium } from './scripts/find-chromium.mjs';
import { fakeTokenService } from './test/support/fake-token-service.mjs';
import { browserCommands } from './test/support/browser-commands.mjs';

const executablePath = findChromium({ install: true });

const baseArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  // No --use-fake-ui-for-media-stream: it would grant every prompt. The harness grants the
  // microphone through the DevTools protocol instead, so a test can also deny it.
  // The only network here is loopback; WebRTC ignores it unless told.
  '--allow-loopback-in-peer-connection',
  '--autoplay-policy=no-user-gesture-required',
  // For the insecure-context test: a non-localhost name served over plain HTTP.
  '--host-resolver-rules=MAP insecure.test 127.0.0.1',
];

function chromium(args) {
  return chromeLauncher({ launchOptions: { executablePath, headless: true, args } });
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 300_000,
  middleware: [fakeTokenService()],
  plugins: [esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }), browserCommands()],
  browsers: [chromium(baseArgs)],
  testFramework: { config: { timeout: 20_000 } },
};
