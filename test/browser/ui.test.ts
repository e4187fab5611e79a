import { assert, expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { clickPart } from '../support/click.js';

import { hasWebRtc } from '../support/engines.js';
import { nextEvent, part, sleep, tokenUrl, untilState, useFakeService, voiceFixture } from '../support/harness.js';

describe('default UI: understandable, keyboard operable, accessible, themeable', () => {
  const fake = useFakeService();

  it('one button walks start → connecting (cancel) → end, with a status line and announcements', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 300 }).url });
    const button = part(el, 'button')!;
    const live = el.shadowRoot!.querySelector('[aria-live]')!;
    expect(button.tagName).to.equal('BUTTON');
    expect(button.textContent).to.contain('Start conversation');
    expect(part(el, 'status')!.textContent).to.contain('Press Start');
    expect(part(el, 'mute-button')).to.equal(null);

    await clickPart(el, 'button');
    await el.updateComplete;
    expect(el.state).to.equal('connecting');
    expect(button.textContent).to.contain('Connecting');
    expect(button.textContent).to.contain('Cancel');
    expect(live.textContent).to.contain('Connecting');

    await untilState(el, 'connected');
    await el.updateComplete;
    expect(button.textContent).to.contain('End conversation');
    expect(part(el, 'status')!.textContent).to.contain('Listening');
    expect(live.textContent).to.contain('Listening');
    assert.exists(part(el, 'mute-button'));

    // The status follows who is talking.
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await nextEvent(el, 'output_audio_buffer.started');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('Assistant is speaking');
    call.emit({ type: 'output_audio_buffer.stopped', response_id: 'r1' });
    call.emit({ type: 'input_audio_buffer.speech_started', item_id: 'u1', audio_start_ms: 0 });
    await nextEvent(el, 'input_audio_buffer.speech_started');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.contain('Listening to you');

    await clickPart(el, 'button');
    await el.updateComplete;
    expect(el.state).to.equal('closed');
    expect(part(el, 'status')!.textContent).to.contain('Conversation ended');
    expect(live.textContent).to.contain('Conversation ended');
    expect(button.textContent).to.contain('Start conversation');
  });

  it('the cancel click while connecting stops the attempt', async () => {
    // A token service that never answers: the attempt is surely still connecting at the second click.
    const el = await voiceFixture({ 'token-url': tokenUrl({ hang: 1 }).url });
    await clickPart(el, 'button');
    expect(el.state).to.equal('connecting');
    await clickPart(el, 'button');
    expect(el.state).to.equal('closed');
    await sleep(300);
    expect(fake.service.calls).to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);
  });

  it('works from the keyboard alone: Tab to the button, Enter starts, Space mutes, Enter ends', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const before = document.createElement('button');
    before.textContent = 'before';
    el.before(before);
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'button'));
    await sendKeys({ press: 'Enter' });
    await untilState(el, 'connected');
    await el.updateComplete;

    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'mute-button'));
    await sendKeys({ press: ' ' }); // ' ', not 'Space': the key name both CDP and BiDi know
    await el.updateComplete;
    expect(el.muted).to.equal(true);
    expect(part(el, 'mute-button')!.getAttribute('aria-pressed')).to.equal('true');
    expect(part(el, 'status')!.textContent).to.contain('muted');
    expect(el.session.localStream!.getAudioTracks()[0]!.enabled).to.equal(false);

    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'button'));
    await sendKeys({ press: 'Enter' });
    expect(el.state).to.equal('closed');
    before.remove();
  });

  it('passes the axe accessibility audit when idle, connected and in error', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await expect(el).to.be.accessible();
    await el.start();
    await el.updateComplete;
    // Without WebRTC (WebKitGTK here) that start() ended in unsupported-browser: idle and error only.
    expect(el.state).to.equal(hasWebRtc ? 'connected' : 'error');
    await expect(el).to.be.accessible();
    el.stop();
    el.setAttribute('token-url', tokenUrl({ status: 403 }).url);
    await el.start();
    await el.updateComplete;
    expect(el.state).to.equal('error');
    await expect(el).to.be.accessible();
  });

  it('is themed through custom properties and parts; :host sets only display', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    el.style.setProperty('--realtime-voice-accent', 'rgb(1, 2, 3)');
    el.style.setProperty('--realtime-voice-radius', '3px');
    await el.updateComplete;
    const style = getComputedStyle(part(el, 'button')!);
    expect(style.backgroundColor).to.equal('rgb(1, 2, 3)');
    expect(style.borderTopLeftRadius).to.equal('3px');
    expect(getComputedStyle(el).display).to.equal('inline-block');
    el.hidden = true;
    expect(getComputedStyle(el).display).to.equal('none');
  });

  it('page CSS styles the element by state with :state(), in every engine that has custom states', async () => {
    const supported = CSS.supports('selector(:state(idle))');
    expect(supported, 'Chromium, Firefox and WebKit all have :state() now').to.equal(true);
    const style = document.createElement('style');
    style.textContent =
      'realtime-voice:state(idle) { outline: 3px solid rgb(1, 2, 3); } realtime-voice:state(error) { outline: 3px solid rgb(4, 5, 6); }';
    document.head.append(style);
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl({ status: 403 }).url });
      expect(getComputedStyle(el).outlineColor).to.equal('rgb(1, 2, 3)');
      await el.start();
      expect(el.state).to.equal('error');
      expect(getComputedStyle(el).outlineColor).to.equal('rgb(4, 5, 6)');
    } finally {
      style.remove();
    }
  });

  it('replaces UI words through the strings property', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    el.strings = { start: 'Parler', idle: 'Appuyez pour parler.' };
    await el.updateComplete;
    expect(part(el, 'button')!.textContent).to.contain('Parler');
    expect(part(el, 'status')!.textContent).to.contain('Appuyez pour parler.');
  });
});
