// Chromium lets a page that is capturing the microphone autoplay, so its own
// policy never blocks our playback. iOS Safari does: audio plays only on an
// element whose play() was first called inside a user gesture. This test
// installs that rule on HTMLMediaElement.play (the one faked part) and runs
// the real element, peer and clicks against it, which proves the element
// starts its audio inside the click, and recovers through "Enable sound" when
// a page calls start() outside one.
import { expect } from '@open-wc/testing';
import { clickPart as click } from '../support/click.js';

import { nextEvent, sleep, tokenUrl, untilState, useFakeService, voiceFixture } from '../support/harness.js';

const originalPlay = HTMLMediaElement.prototype.play;

function installSafariAutoplayRule(): void {
  const unlocked = new WeakSet<HTMLMediaElement>();
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    if (navigator.userActivation.isActive) unlocked.add(this);
    if (!unlocked.has(this)) {
      return Promise.reject(
        new DOMException("play() failed because the user didn't interact with the document first.", 'NotAllowedError'),
      );
    }
    return originalPlay.call(this);
  };
}

async function playing(audio: HTMLAudioElement): Promise<boolean> {
  for (let i = 0; i < 40 && (audio.paused || audio.currentTime === 0); i++) await sleep(50);
  return !audio.paused && audio.currentTime > 0;
}

describe("autoplay rules (iOS Safari's, enforced on play())", () => {
  useFakeService();
  beforeEach(installSafariAutoplayRule);
  afterEach(() => {
    HTMLMediaElement.prototype.play = originalPlay;
  });

  // First in the file: a fresh page has no transient user activation yet.
  it('start() outside a gesture → autoplay-blocked (not fatal), "Enable sound" shown, and its click plays the voice', async () => {
    expect(navigator.userActivation.isActive, 'no user activation yet').to.equal(false);
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const blocked = nextEvent<CustomEvent>(el, 'realtime-error', 10_000);
    expect(await el.start()).to.equal(true);
    const { detail } = await blocked;
    expect(detail).to.deep.include({ code: 'autoplay-blocked', fatal: false });
    expect(detail.message).to.match(/Enable sound/);
    expect(el.state).to.equal('connected');
    await el.updateComplete;
    const audio = el.shadowRoot!.querySelector('audio')!;
    // (Chromium's own policy still lets the autoplay attribute play here; the rule above governs play() only.)
    expect(el.shadowRoot!.querySelector('[aria-live]')!.textContent).to.contain('Enable sound');

    await click(el, 'sound-button');
    expect(await playing(audio)).to.equal(true);
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="sound-button"]')).to.equal(null);
    el.stop();
  });

  it('a start from a real click plays the voice: the audio element was started inside the gesture', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 200 }).url });
    const errors: string[] = [];
    el.addEventListener('realtime-error', (e) => errors.push(e.detail.code));
    await click(el, 'button');
    await untilState(el, 'connected');
    expect(await playing(el.shadowRoot!.querySelector('audio')!)).to.equal(true);
    expect(errors).to.deep.equal([]);
    el.stop();
  });
});
