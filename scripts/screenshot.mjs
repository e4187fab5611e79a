// Takes the README's screenshot of the demo page in headless Chromium:
// starts the dev server, opens the page, saves docs/demo.png.
import puppeteer from 'puppeteer-core';
import { createServer } from 'vite';
import { findChromium } from './find-chromium.mjs';

const out = process.argv[2] ?? 'docs/demo.png';
const server = await createServer({ configFile: 'vite.config.ts', server: { port: 0 } });
await server.listen();
const url = server.resolvedUrls.local[0] + (process.argv[3] ?? '?token-url=/token');
const browser = await puppeteer.launch({
  executablePath: findChromium(),
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--use-fake-device-for-media-stream'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 900, height: 760, deviceScaleFactor: 1 });
  await page.goto(url, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('realtime-voice')?.shadowRoot?.querySelector('[part="button"]'));
  await page.screenshot({ path: out });
  console.log(`saved ${out}`);
} finally {
  await browser.close();
  await server.close();
}
