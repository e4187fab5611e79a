import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, executeServerCommand, sendKeys, setViewport } from '@web/test-runner-commands';
import { clickPart } from '../support/click.js';
import { nextEvent, part, tokenUrl, until, useFakeService, voiceFixture } from '../support/harness.js';
import { en } from '../../src/i18n/en.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

const everything = { transcript: '', 'text-input': '', meters: '', devices: '', 'push-to-talk': '' };
const DESKTOP = { width: 800, height: 600 };

/** Colors change with a short transition: a style is read once it has settled. */
async function settles(read: () => string, expected: string, what: string): Promise<void> {
  await until(() => read() === expected, `${what}: ${expected} (still ${read()})`, 3000);
}

/** Every control the widget draws that a finger may need to hit. */
function targets(el: RealtimeVoice): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('button, select, input')].filter(
    (node) => node.getBoundingClientRect().width > 0,
  );
}

/** Nothing of the widget sticks out of the screen, and the page does not scroll sideways. */
function expectInsideScreen(el: RealtimeVoice): void {
  for (const node of el.shadowRoot!.querySelectorAll<HTMLElement>('[part], [part] *')) {
    const box = node.getBoundingClientRect();
    if (!box.width) continue;
    const name = node.getAttribute('part') ?? `${node.tagName.toLowerCase()}.${node.className}`;
    expect(box.left, `${name} starts off screen`).to.be.at.least(-0.5);
    expect(box.right, `${name} runs off the screen`).to.be.at.most(innerWidth + 0.5);
  }
  expect(document.scrollingElement!.scrollWidth, 'the page scrolls sideways').to.be.at.most(innerWidth);
}

function expectFingerSized(el: RealtimeVoice): void {
  for (const node of targets(el)) {
    const box = node.getBoundingClientRect();
    const name = node.getAttribute('part') ?? node.tagName;
    expect(box.width, `${name} is narrower than 44 px`).to.be.at.least(44);
    expect(box.height, `${name} is lower than 44 px`).to.be.at.least(44);
  }
}

/** The widget's focused control: in its shadow root, or a slotted one of the page's. */
function focused(el: RealtimeVoice): Element | null {
  return el.shadowRoot!.activeElement ?? document.activeElement;
}

/** Where a piece of a text node's text is drawn (its left edge). */
function leftOf(container: Element, text: string): number {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.textContent!.indexOf(text);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + text.length);
    return range.getBoundingClientRect().left;
  }
  throw new Error(`"${text}" is not in the element`);
}

/** The transcript entries as drawn, the speaker label set aside. */
function messages(el: RealtimeVoice): HTMLElement[] {
  return [...el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]')];
}

function say(el: RealtimeVoice, role: 'user' | 'assistant', itemId: string, text: string, truncated = false): void {
  el.session.dispatchEvent(
    new CustomEvent('realtime-transcript', { detail: { role, itemId, text, delta: text, final: true, truncated } }),
  );
}

describe('phones: the floating panel as a bottom sheet, finger-sized targets, focus kept in', () => {
  const fake = useFakeService();
  afterEach(() => setViewport(DESKTOP));

  it('at 390 × 844 the open panel is a bottom sheet across the screen: nothing runs off, no sideways scroll, 44 px targets', async () => {
    await setViewport({ width: 390, height: 844 });
    const el = await voiceFixture({ layout: 'floating', 'token-url': tokenUrl().url, ...everything });
    expectInsideScreen(el);
    expectFingerSized(el);
    await clickPart(el, 'launcher');
    await el.start();
    await el.updateComplete;
    const call = fake.service.lastCall!;
    await call.channel();
    say(el, 'user', 'u1', 'A rather long question with a longwordthatdoesnotbreakanywhereatallinthisbubble to wrap');
    say(el, 'assistant', 'a1', 'An answer that goes on for a while, long enough to fill a line or two of the sheet.');
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await until(() => part(el, 'interrupt-button') !== null, 'the interrupt button');
    const sheet = part(el, 'base')!.getBoundingClientRect();
    expect(sheet.left, 'the sheet starts at the left edge').to.be.closeTo(0, 0.5);
    expect(sheet.right, 'the sheet ends at the right edge').to.be.closeTo(innerWidth, 0.5);
    expect(sheet.bottom, 'the sheet sits on the bottom edge').to.be.closeTo(innerHeight, 0.5);
    expect(part(el, 'base')!.getAttribute('aria-modal')).to.equal('true');
    expect(getComputedStyle(part(el, 'launcher')!).display, 'the launcher is under the sheet').to.equal('none');
    for (const name of ['mute-button', 'interrupt-button', 'talk-button', 'send-button', 'close-button'])
      expect(part(el, name), name).to.not.equal(null);
    expectInsideScreen(el);
    expectFingerSized(el);
    el.stop();
  });

  it('the launcher moves focus into the sheet, Tab and Shift+Tab stay inside, the close button and Escape give it back', async () => {
    await setViewport({ width: 390, height: 844 });
    const wrapper = await fixture<HTMLDivElement>(
      html`<div>
        <realtime-voice layout="floating" transcript text-input
          ><span slot="title">Ada, our helper</span><a href="#help">Help</a></realtime-voice
        >
      </div>`,
    );
    const el = wrapper.querySelector('realtime-voice')!;
    await el.updateComplete;
    expect(el.querySelector('span')!.assignedSlot, 'the title is on the launcher card').to.not.equal(null);
    await clickPart(el, 'launcher');
    await el.updateComplete;
    expect(focused(el), 'focus went into the sheet, on the start button').to.equal(part(el, 'button'));
    const order = ['close-button', 'button'];
    // From the first control backwards wraps to the last (the send button is disabled before a call).
    part(el, 'close-button')!.focus();
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    const last = focused(el)!;
    expect(last, 'Shift+Tab from the first control goes to the last one').to.not.equal(part(el, 'close-button'));
    expect(el.shadowRoot!.querySelector('.base')!.contains(last) || el.contains(last), 'still in the sheet').to.equal(
      true,
    );
    expect(last, "the page's slotted link is the sheet's last control").to.equal(el.querySelector('a'));
    await sendKeys({ press: 'Tab' });
    expect(focused(el), 'Tab from the last control goes to the first').to.equal(part(el, order[0]!));
    await clickPart(el, 'close-button');
    await until(() => part(el, 'base') === null, 'the sheet closed');
    expect(focused(el), 'focus back on the launcher').to.equal(part(el, 'launcher'));
    await sendKeys({ press: 'Enter' });
    await el.updateComplete;
    expect(el.open).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await until(() => part(el, 'base') === null, 'Escape closed the sheet');
    expect(focused(el)).to.equal(part(el, 'launcher'));
  });

  it('the sheet rises above the on-screen keyboard (the visual viewport shrinks)', async () => {
    await setViewport({ width: 390, height: 844 });
    const el = await voiceFixture({ layout: 'floating', 'text-input': '' });
    el.open = true;
    await el.updateComplete;
    const viewport = window.visualViewport!;
    const bottom = () => part(el, 'base')!.getBoundingClientRect().bottom;
    expect(bottom()).to.be.closeTo(innerHeight, 0.5);
    // A keyboard can only be opened by a real finger; its effect on the visual viewport is what the widget sees.
    const keyboard = 300;
    const height = Object.getOwnPropertyDescriptor(VisualViewport.prototype, 'height')!;
    Object.defineProperty(viewport, 'height', { configurable: true, get: () => innerHeight - keyboard });
    try {
      viewport.dispatchEvent(new Event('resize'));
      await until(() => Math.abs(bottom() - (innerHeight - keyboard)) < 1, 'the sheet above the keyboard');
    } finally {
      Object.defineProperty(viewport, 'height', height);
      delete (viewport as { height?: number }).height;
    }
    viewport.dispatchEvent(new Event('resize'));
    await until(() => Math.abs(bottom() - innerHeight) < 1, 'the sheet back at the bottom');
  });

  it('on a wide screen the panel is not modal: Tab goes on from it to the launcher', async () => {
    await setViewport({ width: 1280, height: 800 });
    const el = await voiceFixture({ layout: 'floating' });
    el.open = true;
    await el.updateComplete;
    const panel = part(el, 'base')!;
    expect(panel.getAttribute('aria-modal')).to.equal('false');
    expect(panel.getBoundingClientRect().width).to.be.at.most(22 * 16 + 1);
    part(el, 'button')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(focused(el)).to.equal(part(el, 'launcher'));
  });

  for (const layout of ['inline', 'compact'] as const) {
    it(`${layout} reflows at 320 px with every part on in a call`, async () => {
      await setViewport({ width: 320, height: 640 });
      const el = await voiceFixture({ layout, 'token-url': tokenUrl().url, ...everything });
      await el.start();
      await el.updateComplete;
      say(
        el,
        'assistant',
        'a1',
        'Words and more words, with https://example.com/a/very/long/address/that/has/no/spaces',
      );
      await el.updateComplete;
      expectInsideScreen(el);
      expectFingerSized(el);
      el.stop();
    });
  }
});

describe('launcher card, slots, theme and the thinking state', () => {
  const fake = useFakeService();

  it('the floating launcher is a card: avatar and title (slots, "Talk to us" by default) and the call status', async () => {
    const el = await voiceFixture({ layout: 'floating', 'token-url': tokenUrl().url });
    const launcher = part(el, 'launcher')!;
    expect(launcher.textContent).to.contain('Talk to us');
    expect(launcher.getAttribute('aria-expanded')).to.equal('false');
    expect(launcher.getBoundingClientRect().width, 'a card, wider than a round button').to.be.above(120);
    const avatar = document.createElement('img');
    avatar.slot = 'avatar';
    avatar.alt = 'Ada';
    avatar.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
    el.append(avatar);
    expect(avatar.assignedSlot, 'the avatar is on the card').to.not.equal(null);
    await el.start();
    await el.updateComplete;
    expect(part(el, 'launcher-status')!.textContent).to.equal(el.strings.listening ?? en.listening);
    el.stop();
    await el.updateComplete;
    expect(part(el, 'launcher-status')).to.equal(null);
  });

  it('between the end of the user’s turn and the first sound of the answer the widget says it is thinking', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const base = part(el, 'base')!;
    call.emit({ type: 'input_audio_buffer.speech_started', item_id: 'u1', audio_start_ms: 0 });
    call.emit({ type: 'input_audio_buffer.speech_stopped', item_id: 'u1', audio_end_ms: 900 });
    await nextEvent(el, 'input_audio_buffer.speech_stopped');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Thinking…');
    expect(base.dataset.activity).to.equal('thinking');
    const dot = getComputedStyle(base.querySelector('.dot')!);
    expect(dot.animationName, 'the dot pulses while thinking').to.equal('pulse');
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await nextEvent(el, 'output_audio_buffer.started');
    await el.updateComplete;
    expect(part(el, 'status')!.textContent).to.equal('Assistant is speaking…');
    expect(base.dataset.activity).to.equal('assistant-speaking');
    el.stop();
  });

  it('theme="dark" and theme="light" decide the palette whatever the page and the preference say', async () => {
    const el = await voiceFixture();
    const background = () => getComputedStyle(part(el, 'button')!).backgroundColor;
    await settles(background, 'rgb(29, 78, 216)', 'the light palette on a light page');
    el.theme = 'dark';
    await settles(background, 'rgb(147, 197, 253)', 'theme="dark"');
    el.theme = 'light';
    await settles(background, 'rgb(29, 78, 216)', 'theme="light"');
  });

  it('theme="auto": inline on the page’s color-scheme, the floating panel on the user’s preference', async () => {
    const el = await voiceFixture();
    const floating = await voiceFixture({ layout: 'floating' });
    floating.open = true;
    await floating.updateComplete;
    const background = () => getComputedStyle(part(el, 'button')!).backgroundColor;
    const panel = () => getComputedStyle(part(floating, 'base')!);
    await emulateMedia({ colorScheme: 'dark' });
    try {
      await settles(() => panel().backgroundColor, 'rgb(17, 24, 39)', 'the floating panel is dark');
      expect(panel().color, 'with light text').to.equal('rgb(243, 244, 246)');
      expect(background(), 'a light page keeps an inline widget light').to.equal('rgb(29, 78, 216)');
      document.documentElement.style.colorScheme = 'light dark';
      await settles(background, 'rgb(147, 197, 253)', 'a page that offers dark gets the dark inline widget');
      floating.theme = 'light';
      await settles(() => panel().backgroundColor, 'rgb(255, 255, 255)', 'theme="light" wins over the preference');
    } finally {
      document.documentElement.style.colorScheme = '';
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('forced colors: the state dot and the pressed toggle keep system colors', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    el.muted = true;
    await el.updateComplete;
    await executeServerCommand('emulate-forced-colors', { active: true });
    try {
      expect(matchMedia('(forced-colors: active)').matches, 'forced colors emulated').to.equal(true);
      const status = part(el, 'status')!;
      await settles(
        () => getComputedStyle(status, '::before').backgroundColor,
        getComputedStyle(status).color,
        'the state dot drawn in the text color',
      );
      const mute = getComputedStyle(part(el, 'mute-button')!);
      expect(mute.backgroundColor, 'pressed shows as a filled (Highlight) button').to.not.equal(
        getComputedStyle(part(el, 'button')!).backgroundColor,
      );
      expect(mute.color, 'its text readable on it').to.not.equal(mute.backgroundColor);
    } finally {
      await executeServerCommand('emulate-forced-colors', { active: false });
      el.stop();
    }
  });
});

describe('bidirectional text: each line reads in its own direction', () => {
  it('in an Arabic widget, an English bubble reads left to right and a cut-off one ends with its ellipsis on the right', async () => {
    const el = await voiceFixture({ lang: 'ar', transcript: '' });
    await until(() => part(el, 'button')!.textContent!.includes('ابدأ'), 'the Arabic words');
    say(el, 'user', 'u1', '[0.7 s of speech]');
    say(el, 'assistant', 'a1', 'Hello there, this was cut…', true);
    await el.updateComplete;
    const [user, assistant] = messages(el);
    expect(user!.matches(':dir(ltr)'), 'the English user bubble is left to right').to.equal(true);
    expect(getComputedStyle(user!).direction).to.equal('ltr');
    expect(leftOf(user!, '0.7'), '"0.7" before "speech", as written').to.be.below(leftOf(user!, 'speech'));
    expect(leftOf(assistant!, '…'), 'the ellipsis at the end of the English words').to.be.above(
      leftOf(assistant!, 'cut'),
    );
    // The bubbles still sit on the sides of the Arabic panel.
    expect(getComputedStyle(part(el, 'base')!).direction).to.equal('rtl');
  });

  it('Arabic with a number and a Latin word stays in order, its ellipsis on the left', async () => {
    const el = await voiceFixture({ lang: 'ar', transcript: '' });
    await until(() => part(el, 'button')!.textContent!.includes('ابدأ'), 'the Arabic words');
    say(el, 'assistant', 'a1', 'اشتريت 3 كتب من Amazon أمس…', true);
    await el.updateComplete;
    const [bubble] = messages(el);
    expect(bubble!.matches(':dir(rtl)')).to.equal(true);
    // Right to left: each later word is further left; "3" and "Amazon" keep their places in the sentence.
    const x = (text: string) => leftOf(bubble!, text);
    expect(x('اشتريت')).to.be.above(x('3'));
    expect(x('3')).to.be.above(x('كتب'));
    expect(x('من')).to.be.above(x('Amazon'));
    expect(x('Amazon')).to.be.above(x('أمس'));
    expect(x('…'), 'the ellipsis at the end (the left)').to.be.below(x('أمس'));
  });

  it('an English page quoting Arabic: the Arabic bubble and status read right to left, the English ones left to right', async () => {
    const el = await voiceFixture({ lang: 'en', transcript: '' });
    say(el, 'user', 'u1', 'How do I say thank you?');
    say(el, 'assistant', 'a1', 'شكرا جزيلا means thank you very much.');
    el.strings = { idle: 'اضغط للبدء (Start)' };
    await el.updateComplete;
    const [user, assistant] = messages(el);
    expect(user!.matches(':dir(ltr)')).to.equal(true);
    expect(assistant!.matches(':dir(rtl)'), 'a bubble that starts in Arabic is right to left').to.equal(true);
    expect(part(el, 'status')!.matches(':dir(rtl)'), 'the status line takes its own words’ direction').to.equal(true);
    expect(part(el, 'base')!.matches(':dir(ltr)'), 'the panel stays English').to.equal(true);
  });

  it('the text box types in the direction of what is typed', async () => {
    const el = await voiceFixture({ 'text-input': '' });
    const input = part<HTMLInputElement>(el, 'text-input')!;
    input.value = 'مرحبا';
    expect(input.getAttribute('dir')).to.equal('auto');
    expect(input.matches(':dir(rtl)')).to.equal(true);
  });

  it('an empty text box shows its placeholder in the widget’s direction, then follows what is typed', async () => {
    const el = await voiceFixture({ lang: 'ar', 'text-input': '' });
    await until(() => part(el, 'button')!.textContent!.includes('ابدأ'), 'the Arabic words');
    const input = part<HTMLInputElement>(el, 'text-input')!;
    // Empty, dir="auto" alone would resolve to left to right: the Arabic placeholder at the wrong end.
    expect(getComputedStyle(input).direction, 'the Arabic placeholder from the right').to.equal('rtl');
    input.value = 'Where is my order?';
    expect(getComputedStyle(input).direction, 'English typed in the Arabic widget').to.equal('ltr');
    const english = await voiceFixture({ lang: 'en', 'text-input': '' });
    expect(getComputedStyle(part(english, 'text-input')!).direction).to.equal('ltr');
  });
});

describe('state of the call while phones rotate', () => {
  const fake = useFakeService();
  afterEach(() => setViewport(DESKTOP));

  it('turning the phone (390 → 844 wide) keeps the call and turns the sheet back into a panel', async () => {
    await setViewport({ width: 390, height: 844 });
    const el = await voiceFixture({ layout: 'floating', 'token-url': tokenUrl().url, transcript: '' });
    el.open = true;
    await el.start();
    await setViewport({ width: 844, height: 390 });
    await el.updateComplete;
    el.requestUpdate();
    await el.updateComplete;
    expect(el.state).to.equal('connected');
    expect(part(el, 'base')!.getBoundingClientRect().width).to.be.below(844);
    expect(fake.service.lastCall).to.not.equal(undefined);
    el.stop();
  });
});
