// Browser tests: real headless Chromium (the system's, see scripts/find-chromium.mjs) and
// Firefox (Debian's firefox-esr over WebDriver BiDi, with a private PulseAudio as its sound card
// and microphone), with a fake microphone, real WebRTC and real HTTP services. Run with tsx loaded
// (`npm test` does): the end-to-end services are TypeScript. ENGINES=chromium,firefox,webkit picks
// engines (default: every one installed). Tests an engine cannot run: test/not-applicable.ts.
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
import { fakeTokenService, lateParts } from './test/support/fake-token-service.mjs';
import { firefox, hasFirefox } from './test/support/firefox-launcher.mjs';
import { hasPulseAudio, startPulseAudio } from './test/support/pulseaudio.mjs';
import { hasWebKit, webkitLauncher } from './test/support/webkit-launcher.mjs';
import { prebuiltModules } from './test/support/prebuilt-modules.mjs';
import { startE2eServices } from './test/e2e/support/e2e-services.ts';
import { makeFakeMicrophoneFiles } from './test/e2e/support/fake-microphone.ts';

const wanted = (process.env.ENGINES ?? 'chromium,firefox,webkit').split(',').map((e) => e.trim());
const executablePath = findChromium({ install: true });
const microphone = await makeFakeMicrophoneFiles(resolve('.cache/fake-microphone'));
const services = await startE2eServices();

// Firefox needs an audio server: one whose microphone stays silent (the in-page suite uses
// Firefox's own fake microphone, a tone) and one that speaks the e2e conversation.
const withFirefox = wanted.includes('firefox') && hasFirefox() && hasPulseAudio();
if (wanted.includes('firefox') && !withFirefox)
  console.warn(
    '[realtime-voice] Firefox tests NOT run: firefox-esr or pulseaudio is missing (Debian: apt-get install firefox-esr pulseaudio).',
  );
const quietAudio = withFirefox ? await startPulseAudio('.cache/pulse/quiet') : undefined;
const speakingAudio = withFirefox ? await startPulseAudio('.cache/pulse/speaking') : undefined;
speakingAudio?.playMicrophone(microphone.speech);
// WebKit: Debian's WebKitGTK has no WebRTC, so it runs the in-page suite only (the tests that need
// no peer connection; test/not-applicable.ts).
const withWebKit = wanted.includes('webkit') && hasWebKit();
if (wanted.includes('webkit') && !withWebKit)
  console.warn(
    '[realtime-voice] WebKit tests NOT run: MiniBrowser, WebKitWebDriver or Xvfb is missing (Debian: apt-get install webkit2gtk-driver xvfb).',
  );
const webkit = withWebKit ? await webkitLauncher() : undefined;

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

/** Each Firefox launcher's audio server (for the restart-microphone command). */
const audioOf = new Map();

/** The engines asked for, each with its microphone: `speech`, `silence`, or the browser's own fake (a tone). */
function engines(microphoneKind) {
  const list = [];
  if (wanted.includes('chromium'))
    list.push(chromium(microphoneKind ? [`--use-file-for-fake-audio-capture=${microphone[microphoneKind]}`] : []));
  if (withFirefox) {
    const audio = microphoneKind === 'speech' ? speakingAudio : quietAudio;
    const launcher = firefox({ env: audio.env, fakeMicrophone: !microphoneKind });
    audioOf.set(launcher, audio);
    list.push(launcher);
  }
  return list;
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  // Two browsers at once at most (the default), whatever the number of engines: the audio is real time.
  concurrentBrowsers: 2,
  browserStartTimeout: 60_000,
  testsFinishTimeout: 600_000,
  middleware: [fakeTokenService(), lateParts(), services.middleware],
  plugins: [
    prebuiltModules(),
    esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }),
    browserCommands(),
    {
      // Firefox's microphone is the private PulseAudio's: the spoken WAV starts again at each getUserMedia.
      name: 'microphone-restart',
      executeCommand: ({ command, session }) =>
        command === 'restart-microphone' ? (audioOf.get(session.browser)?.restartMicrophone(), true) : undefined,
    },
    {
      name: 'e2e-services',
      executeCommand: ({ command, payload }) => services.command(command, payload ?? {}),
    },
  ],
  browsers: [...engines(), ...(webkit ? [webkit] : [])],
  groups: [
    {
      name: 'e2e-speech',
      files: ['test/e2e/voice.test.ts', 'test/e2e/widget.test.ts', 'test/e2e/outside-clients.test.ts'],
      browsers: engines('speech'),
    },
    {
      name: 'e2e-silence',
      files: [
        'test/e2e/silence.test.ts',
        'test/e2e/builds.test.ts',
        'test/e2e/sign-in.test.ts',
        'test/e2e/continuity.test.ts',
        'test/e2e/markdown.test.ts',
        'test/e2e/settings.test.ts',
        'test/e2e/mcp.test.ts',
        'test/e2e/impaired.test.ts',
      ],
      browsers: engines('silence'),
    },
  ],
  testFramework: { config: { timeout: 45_000 } },
};
