/**
 * The widget's pictures as tests: every state × layout × viewport width × theme × direction, taken in
 * headless Chromium from test/fixtures/screens.html (src/ bundled by esbuild, states put in by events on
 * the element's session: no server, no emulator, no microphone), and compared with the baselines in
 * docs/screens/<width>/<layout>/<theme>-<dir>-<state>.png.
 *
 * `npm run screenshots` compares (as test/node/screenshots.test.ts does); `npm run screenshots -- --update`
 * writes the baselines again: the pictures that fail the comparison (`--update-all`: every one whose pixels
 * changed at all), and removes ones no longer taken.
 */
import { build, type OutputFile } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve } from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { findChromium } from '../find-chromium.mjs';

export const STATES = ['idle', 'connecting', 'listening', 'thinking', 'speaking', 'error'] as const;
export const LAYOUTS = ['inline', 'compact', 'floating'] as const;
export const WIDTHS = [320, 390, 1280] as const;
export const THEMES = ['light', 'dark'] as const;
export const DIRECTIONS = ['ltr', 'rtl'] as const;

export interface Shot {
  state: (typeof STATES)[number];
  layout: (typeof LAYOUTS)[number];
  width: (typeof WIDTHS)[number];
  theme: (typeof THEMES)[number];
  dir: (typeof DIRECTIONS)[number];
  /** Path from the baselines' folder, e.g. `390/floating/dark-rtl-speaking.png`. */
  name: string;
}

/** Where the baselines are (committed; the README shows some). */
export const BASELINES = resolve('docs/screens');
/** Where a comparison that failed leaves the new picture and the difference (ignored by git). */
export const FAILURES = resolve('.cache/screenshots');

/** Viewport height per width: a phone's for 320 and 390, a laptop's for 1280 (the floating picture is all of it). */
const HEIGHT: Record<Shot['width'], number> = { 320: 700, 390: 700, 1280: 800 };

/** Per-pixel colour distance pixelmatch still calls equal (0 to 1), anti-aliased pixels not counted. */
export const PIXEL_THRESHOLD = 0.15;
/** A picture fails when more than this share of its pixels differ (or its size changed). */
export const MAX_DIFF_RATIO = 0.005;

export const SHOTS: Shot[] = WIDTHS.flatMap((width) =>
  LAYOUTS.flatMap((layout) =>
    THEMES.flatMap((theme) =>
      DIRECTIONS.flatMap((dir) =>
        STATES.map((state) => ({
          state,
          layout,
          width,
          theme,
          dir,
          name: `${width}/${layout}/${theme}-${dir}-${state}.png`,
        })),
      ),
    ),
  ),
);

/** Serves the fixture page and src/ bundled (ES modules, parts and languages as chunks) on a free local port. */
async function serveFixture(): Promise<{ url: string; close(): Promise<void> }> {
  const result = await build({
    entryPoints: { index: 'src/index.ts' },
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2022',
    outdir: 'build',
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    logLevel: 'warning',
  });
  const files = new Map<string, OutputFile>(
    result.outputFiles.map((file) => [`/build/${relative(resolve('build'), file.path).replaceAll('\\', '/')}`, file]),
  );
  const page = readFileSync('test/fixtures/screens.html');
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = files.get(path);
    if (path === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    else if (file) response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(file.contents);
    else response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export interface Camera {
  /** Takes the pictures, one page per viewport width, the widths in parallel; `each` gets every picture as it is taken. */
  takeAll(shots: Shot[], each: (shot: Shot, png: PNG) => void): Promise<void>;
  close(): Promise<void>;
}

export async function openCamera(): Promise<Camera> {
  const fixture = await serveFixture();
  const browser: Browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--font-render-hinting=none',
      '--hide-scrollbars',
      '--force-color-profile=srgb',
    ],
  });
  const open = async (width: Shot['width']): Promise<Page> => {
    const page = await browser.newPage();
    await page.setViewport({ width, height: HEIGHT[width], deviceScaleFactor: 1 });
    await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
    page.on('pageerror', (error) => console.error(`[screens ${width}] ${error}`));
    await page.goto(fixture.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  };
  const take = async (page: Page, shot: Shot): Promise<PNG> => {
    await page.emulateMediaFeatures([
      { name: 'prefers-reduced-motion', value: 'reduce' },
      { name: 'prefers-color-scheme', value: shot.theme },
    ]);
    const clip = await page.evaluate(
      (s) => (window as unknown as { screens: { show(s: unknown): Promise<DOMRect> } }).screens.show(s),
      { layout: shot.layout, theme: shot.theme, dir: shot.dir, state: shot.state },
    );
    const data = await page.screenshot({ clip, type: 'png', captureBeyondViewport: shot.layout !== 'floating' });
    return PNG.sync.read(Buffer.from(data));
  };
  return {
    async takeAll(shots, each) {
      await Promise.all(
        WIDTHS.map(async (width) => {
          const mine = shots.filter((s) => s.width === width);
          if (!mine.length) return;
          const page = await open(width);
          for (const shot of mine) each(shot, await take(page, shot));
          await page.close();
        }),
      );
    },
    async close() {
      await browser.close();
      await fixture.close();
    },
  };
}

/** A picture as a small PNG: no alpha channel (every pixel is opaque), the best compression. */
export function encode(png: PNG): Buffer {
  return PNG.sync.write(png, { colorType: 2, inputHasAlpha: true, deflateLevel: 9, filterType: -1 });
}

export interface Difference {
  shot: Shot;
  /** Why: a size change, the share of differing pixels, or no baseline. */
  reason: string;
  actual: string;
  diff?: string;
}

/** How a picture differs from its baseline: undefined when it passes. */
export function compare(shot: Shot, actual: PNG, writeDiff = true): Omit<Difference, 'actual'> | undefined {
  const path = join(BASELINES, shot.name);
  if (!existsSync(path)) return { shot, reason: 'no baseline' };
  const expected = PNG.sync.read(readFileSync(path));
  if (expected.width !== actual.width || expected.height !== actual.height)
    return { shot, reason: `size ${actual.width}×${actual.height}, baseline ${expected.width}×${expected.height}` };
  const diff = new PNG({ width: actual.width, height: actual.height });
  const count = pixelmatch(expected.data, actual.data, diff.data, actual.width, actual.height, {
    threshold: PIXEL_THRESHOLD,
  });
  const ratio = count / (actual.width * actual.height);
  if (ratio <= MAX_DIFF_RATIO) return undefined;
  const reason = `${count} pixels differ (${(ratio * 100).toFixed(2)} %)`;
  if (!writeDiff) return { shot, reason };
  const diffPath = join(FAILURES, shot.name.replace(/\.png$/, '.diff.png'));
  mkdirSync(dirname(diffPath), { recursive: true });
  writeFileSync(diffPath, encode(diff));
  return { shot, reason, diff: diffPath };
}

/** Takes every picture and compares it; a failed one's new picture and diff go to .cache/screenshots/. */
export async function check(shots: Shot[] = SHOTS): Promise<{ taken: number; differences: Difference[] }> {
  rmSync(FAILURES, { recursive: true, force: true });
  const camera = await openCamera();
  const differences: Difference[] = [];
  let taken = 0;
  try {
    await camera.takeAll(shots, (shot, png) => {
      taken++;
      const difference = compare(shot, png);
      if (!difference) return;
      const actual = join(FAILURES, shot.name);
      mkdirSync(dirname(actual), { recursive: true });
      writeFileSync(actual, encode(png));
      differences.push({ ...difference, actual });
    });
  } finally {
    await camera.close();
  }
  return { taken, differences };
}

/**
 * Takes every picture and writes the new baselines: those the test would fail (and missing ones), or with
 * `all`, every one whose pixels changed at all; removes pictures no longer taken. The default leaves a
 * picture that moved within the test's tolerance as it is, so re-taking does not churn the repository.
 */
export async function update(
  shots: Shot[] = SHOTS,
  { all = false } = {},
): Promise<{ written: string[]; removed: string[] }> {
  const camera = await openCamera();
  const written: string[] = [];
  try {
    await camera.takeAll(shots, (shot, png) => {
      const path = join(BASELINES, shot.name);
      if (existsSync(path) && (all ? samePixels(PNG.sync.read(readFileSync(path)), png) : !compare(shot, png, false)))
        return;
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, encode(png));
      written.push(shot.name);
    });
  } finally {
    await camera.close();
  }
  const wanted = new Set(SHOTS.map((s) => s.name));
  const removed = existsSync(BASELINES)
    ? (readdirSync(BASELINES, { recursive: true }) as string[])
        .map((p) => p.replaceAll('\\', '/'))
        .filter((p) => p.endsWith('.png') && !wanted.has(p))
    : [];
  for (const name of removed) rmSync(join(BASELINES, name));
  return { written, removed };
}

function samePixels(a: PNG, b: PNG): boolean {
  return a.width === b.width && a.height === b.height && a.data.equals(b.data);
}

/** The failure message: which pictures differ, why, and where their new picture and diff are. */
export function describe(differences: Difference[]): string {
  const lines = differences.map(
    (d) =>
      `  ${d.shot.name} (${d.shot.state}, ${d.shot.layout}, ${d.shot.width} px, ${d.shot.theme}, ${d.shot.dir}): ${d.reason}\n` +
      `      new: ${relative(process.cwd(), d.actual)}${d.diff ? `   diff: ${relative(process.cwd(), d.diff)}` : ''}`,
  );
  return (
    `${differences.length} screenshot(s) differ from docs/screens/:\n${lines.join('\n')}\n` +
    'A deliberate change? Take the baselines again: npm run screenshots -- --update'
  );
}
