// Commands a browser test can ask the runner to do through the DevTools
// protocol (executeServerCommand from @web/test-runner-commands).
const cdpSessions = new WeakMap();

export function browserCommands() {
  return {
    name: 'realtime-voice-commands',
    async executeCommand({ command, payload, session }) {
      if (command === 'emulate-forced-colors') {
        // emulateMedia of @web/test-runner-commands takes `forcedColors` in its types but does not send it.
        if (session.browser.type === 'webdriver') return false;
        const page = session.browser.getPage(session.id);
        if ((await page.browser().userAgent()).includes('Firefox/')) return false;
        // Puppeteer's emulateMediaFeatures refuses the name; the DevTools protocol takes it.
        // The session stays open: the emulation ends with it.
        if (!cdpSessions.has(page)) cdpSessions.set(page, await page.createCDPSession());
        const value = payload.active ? 'active' : 'none';
        await cdpSessions
          .get(page)
          .send('Emulation.setEmulatedMedia', { features: [{ name: 'forced-colors', value }] });
        return true;
      }
      if (command !== 'set-microphone-permission') return undefined;
      // WebKitWebDriver has no permissions command; WebKitGTK in automation mode grants getUserMedia.
      if (session.browser.type === 'webdriver') return payload.setting === 'granted';
      const page = session.browser.getPage(session.id);
      // Firefox (BiDi) cannot set the microphone permission; its launch prefs grant it for the run
      // (the denial test is listed as not applicable there).
      if ((await page.browser().userAgent()).includes('Firefox/')) return payload.setting === 'granted';
      const origin = new URL(page.url()).origin;
      const context = page.browserContext();
      // Granted: the fake microphone opens without a prompt. Denied: no grant, and
      // headless Chromium answers the prompt with "denied", as a user who blocks it.
      if (payload.setting === 'granted') await context.overridePermissions(origin, ['microphone']);
      else await context.clearPermissionOverrides();
      return true;
    },
  };
}
