// Browser tests: real headless Chromium (the system's, see scripts/find-chromium.mjs)
// with a fake microphone, real WebRTC and real HTTP services. Run with tsx loaded
// (`npm test` does): the end-to-end services are TypeScript.
//
// Groups:
//   default      test/browser/   the element against an in-page peer and a real HTTP token service
//   e2e-speech   test/e2e/voice  the element ↔ reference server ↔ emulator, a spoken WAV as microphone;
//                               outside-clients: Microsoft's sample page and OpenAI's Agents SDK, same path
//   e2e-silence  test/e2e/silence  the same, with a silent microphone (negative control)
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { resolve } from 'node:path';
import { findChromium } from './scripts/find-chromium.mjs';
import { browserCommands } from './test/support/browser-commands.mjs';
import { fakeTokenService } from './test/support/fake-token-service.mjs';
import { prebuiltModules } from './test/support/prebuilt-modules.mjs';
import { startE2eServices } from './test/e2e/support/e2e-services.ts';
import { makeFakeMicrophoneFiles } from './test/e2e/support/fake-microphone.ts';

const executablePath = findChromium({ install: true });
const microphone = await makeFakeMicrophoneFiles(resolve('.cache/fake-microphone'));
const services = await startE2eServices();

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

function chromium(extraArgs = []) {
  return chromeLauncher({ launchOptions: { executablePath, headless: true, args: [...baseArgs, ...extraArgs] } });
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 600_000,
  middleware: [fakeTokenService(), services.middleware],
  plugins: [
    prebuiltModules(),
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    browserCommands(),
    {
      name: 'e2e-services',
      executeCommand: ({ command, payload }) => services.command(command, payload ?? {}),
    },
  ],
  browsers: [chromium()],
  groups: [
    { name: 'e2e-speech', files: ['test/e2e/voice.test.ts', 'test/e2e/widget.test.ts', 'test/e2e/outside-clients.test.ts'], browsers: [chromium([`--use-file-for-fake-audio-capture=${microphone.speech}`])] },
    { name: 'e2e-silence', files: ['test/e2e/silence.test.ts', 'test/e2e/builds.test.ts'], browsers: [chromium([`--use-file-for-fake-audio-capture=${microphone.silence}`])] },
  ],
  testFramework: { config: { timeout: 45_000 } },
};
