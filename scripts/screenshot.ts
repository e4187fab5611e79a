/**
 * The README's screenshots, taken in headless Chromium from the real stack
 * (`npm start`'s server on a free port, the emulator, a fake microphone that
 * speaks): docs/demo.png shows a conversation in progress, docs/idle.png the
 * widget before it starts. Run: npx tsx scripts/screenshot.ts
 */
import puppeteer from 'puppeteer-core';
import { resolve } from 'node:path';
import { makeFakeMicrophoneFiles } from '../test/e2e/support/fake-microphone.ts';
import { startDevServer } from './dev-server.ts';
import { findChromium } from './find-chromium.mjs';

const server = await startDevServer({ port: 0, env: { ...process.env, EMULATOR_ICE: 'loopback' } });
const microphone = await makeFakeMicrophoneFiles(resolve('.cache/fake-microphone'));
const browser = await puppeteer.launch({
  executablePath: findChromium(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${microphone.speech}`, '--allow-loopback-in-peer-connection'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 900, height: 1100, deviceScaleFactor: 1 });
  await page.goto(server.url, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('realtime-voice')?.shadowRoot?.querySelector('[part="button"]'));
  await page.screenshot({ path: 'docs/idle.png', clip: { x: 0, y: 0, width: 900, height: 230 } });
  const box = await page.evaluate(() => {
    const r = document.querySelector('realtime-voice')!.shadowRoot!.querySelector('[part="button"]')!.getBoundingClientRect();
    return [r.x + r.width / 2, r.y + r.height / 2] as const;
  });
  await page.mouse.click(box[0], box[1]);
  // Wait until the second answer is being spoken, so the transcript and log have content.
  await page.waitForFunction(() => document.querySelectorAll('#transcript li').length >= 3, { timeout: 30_000 });
  await new Promise((r) => setTimeout(r, 2500));
  await page.screenshot({ path: 'docs/demo.png' });
  console.log('saved docs/idle.png and docs/demo.png');
} finally {
  await browser.close();
  await server.close();
  process.exit(0);
}
