/**
 * The README's older pictures, taken in headless Chromium from the real stack (`npm start`'s server on a
 * free port, the emulator, a fake microphone that speaks): `npm run screenshots -- --demo`.
 *
 *   docs/state-idle.png       before the call
 *   docs/state-listening.png  connected, the user speaking, the input meter moving
 *   docs/state-speaking.png   the assistant answering, transcript streaming
 *   docs/state-error.png      a token URL that answers 404
 *   docs/state-dark-rtl.png   Arabic (right to left) in dark mode, floating layout
 *   docs/demo.png             the whole demo page during a conversation
 *
 * The state × layout × width × theme × direction grid (docs/screens/) is shots.ts.
 */
import puppeteer, { type Page } from 'puppeteer-core';
import { resolve } from 'node:path';
import { makeFakeMicrophoneFiles } from '../../test/e2e/support/fake-microphone.ts';
import { startDevServer } from '../dev-server.ts';
import { findChromium } from '../find-chromium.mjs';

export async function takeDemoPictures(): Promise<void> {
  const server = await startDevServer({ port: 0, env: { ...process.env, EMULATOR_ICE: 'loopback' } });
  const microphone = await makeFakeMicrophoneFiles(resolve('.cache/fake-microphone'));
  const browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${microphone.speech}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });

  /** The demo page with these settings (address parameters fill its form). */
  async function open(query = ''): Promise<Page> {
    const page = await browser.newPage();
    await page.setViewport({ width: 900, height: 1100, deviceScaleFactor: 1 });
    await page.goto(`${server.url}?${query}`, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() =>
      document.querySelector('realtime-voice')?.shadowRoot?.querySelector('[part~="button"], [part~="launcher"]'),
    );
    return page;
  }

  /** A real click on a part of the widget (a user gesture, as autoplay rules want). */
  async function click(page: Page, part: string): Promise<void> {
    const [x, y] = await page.evaluate((name) => {
      const r = document
        .querySelector('realtime-voice')!
        .shadowRoot!.querySelector(`[part~="${name}"]`)!
        .getBoundingClientRect();
      return [r.x + r.width / 2, r.y + r.height / 2];
    }, part);
    await page.mouse.click(x!, y!);
  }

  /** Waits for a condition on the widget's shadow root. */
  function until(page: Page, check: string, timeout = 30_000): Promise<unknown> {
    return page.waitForFunction(
      `(() => { const root = document.querySelector('realtime-voice').shadowRoot; return ${check}; })()`,
      { timeout, polling: 50 },
    );
  }

  async function shootCard(page: Page, path: string): Promise<void> {
    const card = await page.$('section.card');
    await card!.screenshot({ path });
    console.log(`saved ${path}`);
  }

  try {
    let page = await open();
    await shootCard(page, 'docs/state-idle.png');
    await click(page, 'button');
    await until(
      page,
      `root.querySelector('[part~="status"]').textContent.includes('Listening to you') && Number(root.querySelector('[part~="meter"]').style.getPropertyValue('--level')) > 0.1`,
    );
    await shootCard(page, 'docs/state-listening.png');
    // The second answer (the first is cut off by the second sentence), a few words in.
    await until(
      page,
      `root.querySelector('[part~="interrupt-button"]') && root.querySelectorAll('[part~="message"]').length >= 4 && root.querySelectorAll('[part~="message"]')[3].textContent.trim().length > 25`,
    );
    await shootCard(page, 'docs/state-speaking.png');
    await new Promise((r) => setTimeout(r, 1500));
    await page.screenshot({ path: 'docs/demo.png' });
    console.log('saved docs/demo.png');
    await page.close();

    page = await open('token-url=/no-such-token-route');
    await click(page, 'button');
    await until(page, `root.querySelector('[part~="base"]').dataset.state === 'error'`);
    await shootCard(page, 'docs/state-error.png');
    await page.close();

    page = await open('lang=ar&layout=floating');
    await page.setViewport({ width: 700, height: 760, deviceScaleFactor: 1 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await click(page, 'launcher');
    await until(page, `root.querySelector('[part~="base"]')`);
    await click(page, 'button');
    await until(page, `root.querySelectorAll('[part~="message"]').length >= 2`);
    await new Promise((r) => setTimeout(r, 1200));
    await page.screenshot({ path: 'docs/state-dark-rtl.png' });
    console.log('saved docs/state-dark-rtl.png');
  } finally {
    await browser.close();
    await server.close();
  }
}
