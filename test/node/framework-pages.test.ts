// The framework example pages under demo/, as `npm start` serves them, in
// headless Chromium: start a call, complete one typed turn with the emulator,
// and check that the event reached the framework's own handler.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { startDevServer, type DevServer } from '../../scripts/dev-server.ts';
import { findChromium } from '../../scripts/find-chromium.mjs';
import { makeFakeMicrophoneFiles } from '../e2e/support/fake-microphone.ts';
import { exitWhenDone } from './support/exit-when-done.ts';

exitWhenDone(); // the embedded emulator's WebRTC library keeps the process alive

let server: DevServer;
let browser: Browser;

before(async () => {
  server = await startDevServer({
    port: 0,
    env: { ...process.env, EMULATOR_ICE: 'loopback', LOG_LEVEL: 'silent', REALTIME_PROVIDER: 'emulator' },
  });
  const microphone = await makeFakeMicrophoneFiles(resolve('.cache/fake-microphone'));
  browser = await puppeteer.launch({
    executablePath: findChromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--no-first-run',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-audio-capture=${microphone.silence}`,
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function clickWidget(page: Page, selector: string): Promise<void> {
  const box = await page.evaluate((sel) => {
    const r = document.querySelector(sel)!.shadowRoot!.querySelector('[part="button"]')!.getBoundingClientRect();
    return [r.x + r.width / 2, r.y + r.height / 2] as const;
  }, selector);
  await page.mouse.click(box[0], box[1]);
}

test("React: the wrapper's typed event props and the bare tag's listeners reach React state; a typed turn renders", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}react/`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('#wrapped')?.shadowRoot?.querySelector('[part="button"]'), {
    timeout: 20_000,
  });

  await clickWidget(page, '#wrapped');
  await page.waitForFunction(() => document.querySelector('#react-state')?.textContent === 'connected', {
    timeout: 15_000,
  });
  await page.type('#message', 'hello from React');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      document
        .querySelector('#react-transcript li[data-role="assistant"]')
        ?.textContent?.includes("My instructions begin: You are the React page's assistant."),
    { timeout: 20_000 },
  );
  const lines = await page.$$eval('#react-transcript li', (items) => items.map((li) => li.textContent));
  assert.ok(lines.includes('user: hello from React'), JSON.stringify(lines));

  await clickWidget(page, '#bare');
  await page.waitForFunction(() => document.querySelector('#bare-state')?.textContent === 'connected', {
    timeout: 15_000,
  });
  assert.deepEqual(errors, []);
  await page.close();
});

test('Vue 3: @realtime-… listeners reach Vue state; a typed turn renders through the template', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}vue/`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('#vue-voice')?.shadowRoot?.querySelector('[part="button"]'), {
    timeout: 20_000,
  });
  await clickWidget(page, '#vue-voice');
  await page.waitForFunction(() => document.querySelector('#vue-state')?.textContent === 'connected', {
    timeout: 15_000,
  });
  await page.type('#message', 'hello from Vue');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      document
        .querySelector('#vue-transcript li[data-role="assistant"]')
        ?.textContent?.includes("My instructions begin: You are the Vue page's assistant."),
    { timeout: 20_000 },
  );
  const lines = await page.$$eval('#vue-transcript li', (items) => items.map((li) => li.textContent));
  assert.ok(lines.includes('user: hello from Vue'), JSON.stringify(lines));
  assert.deepEqual(errors, []);
  await page.close();
});

test('Angular (standalone component, CUSTOM_ELEMENTS_SCHEMA): (realtime-…) bindings reach signals; a typed turn renders', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}angular/`, { waitUntil: 'networkidle0' });
  await page.waitForFunction(() => document.querySelector('#ng-voice')?.shadowRoot?.querySelector('[part="button"]'), {
    timeout: 30_000,
  });
  await clickWidget(page, '#ng-voice');
  await page.waitForFunction(() => document.querySelector('#ng-state')?.textContent === 'connected', {
    timeout: 15_000,
  });
  await page.type('#message', 'hello from Angular');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    () =>
      document
        .querySelector('#ng-transcript li[data-role="assistant"]')
        ?.textContent?.includes("My instructions begin: You are the Angular page's assistant."),
    { timeout: 20_000 },
  );
  const lines = await page.$$eval('#ng-transcript li', (items) => items.map((li) => li.textContent?.trim()));
  assert.ok(lines.includes('user: hello from Angular'), JSON.stringify(lines));
  assert.deepEqual(errors, []);
  await page.close();
});

for (const [path, title, instructions] of [
  ['cdn.html', 'the drop-in ES module', "You are the drop-in page's assistant."],
  ['classic.html', 'the classic script', "You are the classic page's assistant."],
  ['one-file.html', 'the one-file build (every part inside)', "You are the one-file page's assistant."],
  ['cms.html', 'a CMS page with its own global CSS', "You are the CMS page's assistant."],
  ['csp.html', 'a strict Content-Security-Policy page', "You are the strict page's assistant."],
] as const) {
  test(`plain HTML: ${title} (${path}) — a typed turn reaches the page's listener`, async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    const response = await page.goto(`${server.url}${path}`, { waitUntil: 'networkidle0' });
    if (path === 'csp.html') assert.match(response!.headers()['content-security-policy'] ?? '', /default-src 'self'/);
    await page.waitForFunction(
      () => document.querySelector('realtime-voice')?.shadowRoot?.querySelector('[part="button"]'),
      { timeout: 20_000 },
    );
    await clickWidget(page, 'realtime-voice');
    await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'connected', {
      timeout: 15_000,
    });
    await page.type('#message', 'hello page');
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (text) =>
        document.querySelector('#transcript li[data-role="assistant"]')?.textContent ===
        `assistant: You wrote: hello page. My instructions begin: ${text}`,
      { timeout: 20_000 },
      instructions,
    );
    if (path === 'one-file.html') {
      // Every part inside: the widget's own transcript shows the turn, and no part file was fetched.
      const seen = await page.evaluate(() => ({
        files: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
        lines: [...document.querySelector('realtime-voice')!.shadowRoot!.querySelectorAll('[part~="message"]')].map(
          (m) => m.textContent!.trim(),
        ),
      }));
      assert.deepEqual(
        seen.files.filter((f) => /realtime-voice\.(?!all\.js)\w+\.js$/.test(f)),
        [],
      );
      assert.ok(
        seen.lines.some((line) => line.includes('You wrote: hello page.')),
        JSON.stringify(seen.lines),
      );
    }
    if (path === 'cms.html') {
      const look = await page.evaluate(() => {
        const inner = getComputedStyle(
          document.querySelector('realtime-voice')!.shadowRoot!.querySelector('[part="button"]')!,
        );
        const outer = getComputedStyle(document.querySelector('#page-button')!);
        return {
          inner: inner.backgroundColor,
          innerRadius: inner.borderTopLeftRadius,
          outer: outer.backgroundColor,
          outerRadius: outer.borderTopLeftRadius,
        };
      });
      assert.deepEqual(look, {
        inner: 'rgb(185, 28, 28)',
        innerRadius: '999px',
        outer: 'rgb(200, 0, 0)',
        outerRadius: '0px',
      });
    }
    assert.deepEqual(problems, []);
    await page.close();
  });
}
