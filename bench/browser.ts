/**
 * The browser-side benchmark stack, shared by connect, turn and leaks:
 *
 * - the emulator in a child process on its own loopback port (as in the
 *   end-to-end tests; the page posts its offer there, cross-origin, as to
 *   the cloud), with loopback-only ICE, restarted if it crashes;
 * - one HTTP server for the pages: the reference server's /token in front
 *   of the emulator, the element bundled from src/ in this run (/widget.js),
 *   and bench/pages (widget.html, bare.html);
 * - headless Chromium with a fake microphone playing a WAV, and an init
 *   script (pages/instrument.js) that times and counts peer connections,
 *   tracks and audio contexts in every page.
 */
import { build } from 'esbuild';
import express from 'express';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { RATE, encodeWav } from '../emulator/src/audio.ts';
import { synthesize } from '../emulator/src/tts.ts';
import { DEMO_SESSION_DEFAULTS } from '../scripts/demo-session.ts';
import { findChromium } from '../scripts/find-chromium.mjs';
import { firefoxLaunchOptions } from '../test/support/firefox-launcher.mjs';
import { startPulseAudio } from '../test/support/pulseaudio.mjs';
import { createApp } from '../server/src/app.ts';
import { EMULATOR_API_KEY, emulatorProvider } from '../server/src/providers/emulator.ts';
import { startBenchEmulator, type BenchEmulator } from './support/emulator.ts';
import { impairedPath, type ImpairedPath } from './support/impaired-path.ts';

/**
 * What `npm start` gives a person (500 ms of silence ends a turn), with the
 * emulator speaking at 1.5× so its short answers end before the next turn
 * of the looping fake microphone. The same for the widget and the bare client.
 */
export const BENCH_SESSION_DEFAULTS = {
  audio: { input: DEMO_SESSION_DEFAULTS.audio.input, output: { speed: 1.5 } },
};

const CACHE = resolve('.cache/bench');

export interface Stack {
  url: string;
  emulator: BenchEmulator;
  /** /impaired/token and /impaired/calls: calls across a scriptable UDP relay (support/impaired-path.ts). */
  impaired: ImpairedPath;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const emulator = await startBenchEmulator(EMULATOR_API_KEY);
  const widget = await build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    write: false,
    tsconfig: 'tsconfig.json',
  });
  const app = express();
  const logger = pino({ level: 'silent' });
  // /token?delay=ms: a token service as slow as a cloud one (the connect bench's warm-up runs).
  app.use('/token', (req, _res, next) => void setTimeout(next, Math.min(Number(req.query.delay) || 0, 5000)));
  let url = '';
  const impaired = impairedPath(emulatorProvider(emulator.baseUrl), emulator.baseUrl, () => url, {
    sessionDefaults: BENCH_SESSION_DEFAULTS,
    logger,
  });
  app.use('/impaired', impaired.router);
  app.use(
    createApp(
      { sessionDefaults: BENCH_SESSION_DEFAULTS, rateLimit: { max: 1_000_000, windowMs: 60_000 } },
      { provider: emulatorProvider(emulator.baseUrl), logger },
    ),
  );
  app.get('/widget.js', (_req, res) => void res.type('text/javascript').send(widget.outputFiles[0]!.text));
  app.use(express.static('bench/pages'));
  // The built parts (npm run build), on this origin: `parts-url="/parts/"` loads them as their own files, as a
  // site serving dist/ does (the visualizer bench: its worker is the part's own file, same origin).
  app.use('/parts', express.static('dist'));
  const http: Server = createServer(app);
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  return {
    url,
    emulator,
    impaired,
    async close() {
      impaired.close();
      http.closeAllConnections();
      await new Promise<void>((done) => http.close(() => done()));
      emulator.stop();
    },
  };
}

const INSTRUMENT = readFileSync('bench/pages/instrument.js', 'utf8');

/** `extraArgs`: e.g. V8 flags (bench/heap-snapshot.ts runs the JIT off with `--js-flags=--jitless`). */
export async function launchChromium(microphoneWav: string, extraArgs: string[] = []): Promise<Browser> {
  return puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${microphoneWav}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      '--enable-precise-memory-info',
      ...extraArgs,
    ],
  });
}

/**
 * Firefox ESR with a private PulseAudio (its sound card; see test/support/pulseaudio.mjs) whose
 * microphone plays the WAV from the start of each capture, as Chromium's fake file capture.
 */
export async function launchFirefox(microphoneWav: string): Promise<Browser> {
  const audio = await startPulseAudio('.cache/pulse/bench');
  audio.playMicrophone(microphoneWav);
  const browser = await puppeteer.launch(
    firefoxLaunchOptions({ env: audio.env, fakeMicrophone: false }) as Parameters<typeof puppeteer.launch>[0],
  );
  browser.once('disconnected', () => audio.stop());
  return browser;
}

export interface BrowserBench {
  stack: Stack;
  browser: Browser;
  /** One page with the instrumentation script (newInstrumentedPage). */
  page: Page;
}

/**
 * What the browser benchmarks (connect, turn, leaks) run in: the stack, Chromium with the `speech`
 * or `silence` file as its fake microphone, and one instrumented page; all closed again after `run`,
 * whatever happens.
 */
export async function withBrowserBench(
  microphone: 'speech' | 'silence',
  run: (bench: BrowserBench) => Promise<void>,
  engine: 'chromium' | 'firefox' = 'chromium',
): Promise<void> {
  const files = await microphoneFiles();
  const stack = await startStack();
  try {
    const browser =
      engine === 'firefox' ? await launchFirefox(files[microphone]) : await launchChromium(files[microphone]);
    try {
      await run({ stack, browser, page: await newInstrumentedPage(browser) });
    } finally {
      await browser.close();
    }
  } finally {
    await stack.close();
  }
}

export async function newInstrumentedPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  // tsx compiles this file keeping function names (esbuild keepNames): functions passed to
  // page.evaluate then call a `__name` helper that only exists in Node.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.evaluateOnNewDocument(INSTRUMENT);
  page.on('pageerror', (error) => console.error('[bench] page error:', error));
  return page;
}

export interface Live {
  pcs: number;
  tracks: number;
  contexts: number;
  /** Workers not terminated (the parts' drawing workers). */
  workers: number;
  createdPcs: number;
  createdTracks: number;
  createdContexts: number;
  createdWorkers: number;
}

/** One peer connection's milestones as pages/instrument.js records them, in ms of the page's performance.now(). */
export interface PeerConnectionRecord {
  created: number;
  firstCandidate?: number;
  gatheringComplete?: number;
  iceConnected?: number;
  connected?: number;
  remoteTrack?: number;
  dcOpen?: number;
  sessionCreated?: number;
  setLocalStart?: number;
  setLocal?: number;
  setRemoteStart?: number;
  setRemote?: number;
  turnEvents?: TurnEvent[];
}

/** A level edge the audio probe saw: input 0 is the microphone, 1 the remote audio; time in AudioContext seconds. */
export interface ProbeEvent {
  input: 0 | 1;
  kind: 'on' | 'off';
  time: number;
}

export interface TurnEvent {
  type: 'speech_stopped' | 'output_started';
  /** performance.now() in the page. */
  t: number;
}

/** What pages/instrument.js puts on `window.__bench`. */
export interface PageInstrument {
  t0: number;
  pcs: PeerConnectionRecord[];
  gum: Array<{ start: number; end?: number }>;
  longTasks: Array<{ start: number; duration: number }>;
  live(): Live;
  probe(pc: RTCPeerConnection | undefined): Promise<number>;
  stopProbe(): Promise<void>;
  probeEvents: ProbeEvent[];
  probeClock: { context: number; perf: number };
}

/**
 * The page's globals the benchmarks use: the instrumentation, and the hooks each page
 * (pages/widget.html, pages/bare.html) defines. Cast to it inside page.evaluate callbacks,
 * which run in the page and so cannot share a helper: `(window as unknown as BenchWindow)`.
 */
export interface BenchWindow {
  __bench: PageInstrument;
  benchStart(): Promise<boolean>;
  benchStop(): void;
  benchPc(): RTCPeerConnection | undefined;
}

export function liveObjects(page: Page): Promise<Live> {
  return page.evaluate(() => (window as unknown as BenchWindow).__bench.live());
}

/** JS heap in use after a full garbage collection (CDP); NaN in Firefox, which gives no heap figure over BiDi. */
export async function heapAfterGc(page: Page): Promise<number> {
  if ((await page.browser().userAgent()).includes('Firefox/')) return Number.NaN;
  const cdp = await page.createCDPSession();
  try {
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
    return usage.usedSize;
  } finally {
    await cdp.detach();
  }
}

/**
 * The widget's page with its parts as built files (dist/ on the bench's origin), as a site serving dist/ has
 * them: the meters' and the visualizer's drawing workers are their parts' own files, which an inlined part
 * cannot start. Throws when dist/ is not built.
 */
export function withBuiltParts(page: string): string {
  if (!existsSync('dist/realtime-voice.meters.js'))
    throw new Error('this bench loads the built parts (dist/): run npm run build first');
  return `${page}${page.includes('?') ? '&' : '?'}parts-url=/parts/`;
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

export interface MicrophoneFiles {
  silence: string;
  /** One short utterance in a loop: lead silence, speech, trailing silence. */
  speech: string;
  speechLoopSeconds: number;
}

/** Fake-microphone WAVs (made once, cached): silence for connect and leak runs, a looping utterance for turns. */
export async function microphoneFiles(): Promise<MicrophoneFiles> {
  mkdirSync(CACHE, { recursive: true });
  const silence = join(CACHE, 'silence.wav');
  const speech = join(CACHE, 'speech-loop.wav');
  writeFileSync(silence, encodeWav(new Int16Array(RATE * 10), RATE));
  const words = await synthesize('Hello there.', 'echo', 1);
  // The trailing silence outlasts the emulator's answer (≈ 1.3 s to start, ≈ 3 s long), so each turn ends before the next begins.
  const parts = [new Int16Array(Math.round(RATE * 0.5)), words.samples, new Int16Array(Math.round(RATE * 5))];
  const samples = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  writeFileSync(speech, encodeWav(samples, RATE));
  return { silence, speech, speechLoopSeconds: samples.length / RATE };
}
