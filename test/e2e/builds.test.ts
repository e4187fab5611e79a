// The built files, as a page uses them: no src/ import here, only dist/.
// Each file runs in its own page, so the builds register the element themselves.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

await executeServerCommand('set-microphone-permission', { setting: 'granted' });

function loadClassicScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

describe('the built files', () => {
  it('the classic-script build registers <realtime-voice> (twice is harmless) and talks to the emulator', async () => {
    const errors: string[] = [];
    window.addEventListener('error', (e) => errors.push(e.message));
    await loadClassicScript('/dist/realtime-voice.iife.js');
    const first = (window as unknown as { RealtimeVoice: { RealtimeVoice: unknown } }).RealtimeVoice.RealtimeVoice;
    expect(customElements.get('realtime-voice')).to.equal(first);
    await loadClassicScript('/dist/realtime-voice.iife.js');
    expect(errors, 'loading the script twice throws nothing').to.deep.equal([]);
    expect(customElements.get('realtime-voice'), 'the first registration stays').to.equal(first);

    const el = document.createElement('realtime-voice') as HTMLElement & { start(): Promise<boolean>; stop(): void; sendText(t: string): boolean; muted: boolean; state: string };
    el.setAttribute('token-url', '/api/token');
    el.setAttribute('instructions', 'Built from the classic script.');
    document.body.append(el);
    el.muted = true;
    const final = new Promise<string>((resolve) => {
      el.addEventListener('realtime-transcript', (e) => {
        const d = (e as CustomEvent).detail;
        if (d.role === 'assistant' && d.final) resolve(d.text);
      });
    });
    expect(await el.start()).to.equal(true);
    el.sendText('hello from the iife');
    expect(await final).to.equal('You wrote: hello from the iife. My instructions begin: Built from the classic script.');
    el.stop();
    el.remove();
  });

  it('the ES module bundle loads alongside (registration guarded) and exports the element class', async () => {
    const bundle = (await import(/* @vite-ignore */ `${location.origin}/dist/realtime-voice.bundle.js`)) as { RealtimeVoice: unknown; defineRealtimeVoice(tag?: string): void };
    expect(bundle.RealtimeVoice).to.be.a('function');
    expect(() => bundle.defineRealtimeVoice()).not.to.throw();
    bundle.defineRealtimeVoice('my-voice');
    expect(customElements.get('my-voice')).to.be.a('function');
    const el = document.createElement('my-voice');
    document.body.append(el);
    await (el as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(el.shadowRoot!.querySelector('[part="button"]')!.textContent).to.contain('Start conversation');
    el.remove();
  });
});
