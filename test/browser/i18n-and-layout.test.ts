import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import { clickPart } from '../support/click.js';
import {
  injectConnectionState,
  part,
  sleep,
  tokenUrl,
  until,
  untilState,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

const buttonText = (el: RealtimeVoice) => part(el, 'button')!.textContent!.trim();

describe('languages', () => {
  const fake = useFakeService();

  it('lang="de" shows German (loaded on demand) and the error sentences in German', async () => {
    const el = await voiceFixture({ lang: 'de', 'token-url': tokenUrl({ status: 429 }).url });
    await until(() => buttonText(el) === 'Gespräch starten', 'the German words');
    expect(part(el, 'status')!.textContent).to.contain('Drücken Sie Start');
    await el.start();
    await el.updateComplete;
    expect(el.error!.code).to.equal('rate-limited');
    expect(part(el, 'status')!.textContent).to.equal('Zu viele Anfragen. Warten Sie kurz und versuchen Sie es erneut.');
    expect(el.shadowRoot!.querySelector('[role="status"]')!.textContent).to.contain('Fehler: Zu viele Anfragen');
    // The event keeps the detailed English message for developers and logs.
    expect(el.error!.message).to.contain('429');
  });

  it("follows an ancestor's lang (Spanish), and a sentence the language lacks falls back to a localized line with the code", async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div lang="es-MX"><realtime-voice></realtime-voice></div>`);
    const el = wrapper.querySelector('realtime-voice')!;
    await until(() => buttonText(el) === 'Iniciar conversación', 'the Spanish words');
    await el.start(); // no URL set
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Algo salió mal (missing-endpoint).');
  });

  it('right to left: lang="ar" mirrors the layout', async () => {
    const el = await voiceFixture({ lang: 'ar', 'token-url': tokenUrl().url });
    await until(() => buttonText(el) === 'ابدأ المحادثة', 'the Arabic words');
    const base = part(el, 'base')!;
    expect(base.getAttribute('dir')).to.equal('rtl');
    expect(getComputedStyle(base).direction).to.equal('rtl');
    await el.start();
    await el.updateComplete;
    const main = part(el, 'button')!.getBoundingClientRect();
    const mute = part(el, 'mute-button')!.getBoundingClientRect();
    expect(main.left, 'the first control sits on the right').to.be.above(mute.left);
    el.stop();
    expect(fake.probe.liveTracks()).to.have.length(0);
  });

  it('strings replace single words over the language; an unknown language is English', async () => {
    const el = await voiceFixture({ lang: 'fr' });
    el.strings = { start: 'Commencer' };
    await el.updateComplete;
    expect(buttonText(el)).to.equal('Commencer');
    expect(part(el, 'status')!.textContent).to.contain('Press Start');
    el.lang = 'de';
    await until(() => part(el, 'status')!.textContent!.includes('Drücken Sie'), 'the switch to German');
    expect(buttonText(el)).to.equal('Commencer');
  });
});

describe('layouts, theming, keyboard and accessibility', () => {
  const fake = useFakeService();
  const all = { transcript: '', 'text-input': '', meters: '', devices: '', 'push-to-talk': '' };

  it('compact: one round button named for screen readers; status kept for them only', async () => {
    const el = await voiceFixture({ layout: 'compact', 'token-url': tokenUrl().url, ...all });
    const button = part(el, 'button')!;
    expect(button.getAttribute('aria-label')).to.equal('Start conversation');
    const box = button.getBoundingClientRect();
    expect(Math.abs(box.width - box.height)).to.be.below(2);
    expect(part(el, 'status')!.classList.contains('visually-hidden')).to.equal(true);
    await el.start();
    await el.updateComplete;
    expect(button.getAttribute('aria-label')).to.equal('End conversation');
    for (const hidden of ['mute-button', 'transcript', 'text-form', 'devices', 'talk-button'])
      expect(part(el, hidden), hidden).to.equal(null);
    await expect(el).to.be.accessible();
    el.stop();
  });

  it('floating, right to left: launcher and panel share the inline-end corner (the left)', async () => {
    const el = await voiceFixture({ layout: 'floating', lang: 'ar' });
    el.open = true;
    await until(() => part(el, 'launcher')!.getAttribute('dir') === 'rtl', 'the Arabic direction');
    await el.updateComplete;
    const launcher = part(el, 'launcher')!.getBoundingClientRect();
    const panel = part(el, 'base')!.getBoundingClientRect();
    expect(launcher.left).to.be.below(40);
    expect(panel.left).to.be.below(40);
  });

  it('floating: a corner launcher opens a dialog panel; Escape closes it and gives focus back', async () => {
    const el = await voiceFixture({ layout: 'floating', 'token-url': tokenUrl().url, transcript: '' });
    const launcher = part(el, 'launcher')!;
    const box = launcher.getBoundingClientRect();
    expect(innerWidth - box.right).to.be.within(10, 40);
    expect(innerHeight - box.bottom).to.be.within(10, 40);
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect(part(el, 'base')).to.equal(null);
    await clickPart(el, 'launcher');
    await el.updateComplete;
    const panel = part(el, 'base')!;
    expect(panel.getAttribute('role')).to.equal('dialog');
    expect(launcher.getAttribute('aria-expanded')).to.equal('true');
    await expect(el).to.be.accessible();
    part(el, 'button')!.focus();
    await sendKeys({ press: 'Escape' });
    await until(() => part(el, 'base') === null, 'the panel closed');
    expect(el.shadowRoot!.activeElement).to.equal(launcher);
  });

  it('dark mode follows prefers-color-scheme; custom properties still win', async () => {
    // An inline widget takes the page's color-scheme: this page offers both.
    document.documentElement.style.colorScheme = 'light dark';
    const el = await voiceFixture();
    const color = () => getComputedStyle(part(el, 'button')!).backgroundColor;
    const light = color();
    await emulateMedia({ colorScheme: 'dark' });
    try {
      // Colors change with a short transition.
      await until(() => color() !== light && color() === 'rgb(147, 197, 253)', 'the dark palette');
      el.style.setProperty('--realtime-voice-accent', 'rgb(1, 2, 3)');
      await until(() => color() === 'rgb(1, 2, 3)', 'the custom property');
    } finally {
      document.documentElement.style.colorScheme = '';
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('keyboard only: Tab reaches every control of a full widget in order, each with a visible focus ring', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, ...all });
    await el.start();
    await el.updateComplete;
    const before = document.createElement('button');
    before.textContent = 'before';
    el.before(before);
    before.focus();
    const reached: string[] = [];
    for (let i = 0; i < 7; i++) {
      await sendKeys({ press: 'Tab' });
      const active = el.shadowRoot!.activeElement as HTMLElement | null;
      if (!active) break;
      reached.push(active.getAttribute('part') ?? active.tagName.toLowerCase());
      expect(getComputedStyle(active).outlineStyle, `${reached.at(-1)} shows focus`).to.not.equal('none');
    }
    // Chromium has setSinkId: microphone and speaker pickers.
    expect(reached).to.deep.equal([
      'button',
      'talk-button',
      'mute-button',
      'select',
      'select',
      'text-input',
      'send-button',
    ]);
    before.remove();
    el.stop();
  });

  it('passes the accessibility audit in every state', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 400 }).url, ...all });
    await expect(el, 'idle').to.be.accessible();
    const started = el.start();
    await el.updateComplete;
    await expect(el, 'connecting').to.be.accessible();
    await started;
    await el.updateComplete;
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: 'Hello!',
    });
    await until(() => part(el, 'interrupt-button') !== null, 'speaking');
    await expect(el, 'connected and speaking').to.be.accessible();
    el.reconnectAttempts = 1;
    el.session.options.reconnectDelayMs = 5000;
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting');
    await el.updateComplete;
    await expect(el, 'reconnecting').to.be.accessible();
    el.stop();
    await el.updateComplete;
    await expect(el, 'closed').to.be.accessible();
    el.tokenUrl = '';
    await el.start();
    await el.updateComplete;
    await expect(el, 'error').to.be.accessible();
    await sleep(10);
  });
});
