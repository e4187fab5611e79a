// Commands a browser test can ask the runner to do through the DevTools
// protocol (executeServerCommand from @web/test-runner-commands).
export function browserCommands() {
  return {
    name: 'realtime-voice-commands',
    async executeCommand({ command, payload, session }) {
      if (command !== 'set-microphone-permission') return undefined;
      const page = session.browser.getPage(session.id);
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
