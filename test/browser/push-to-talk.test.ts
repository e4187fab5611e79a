import { expect } from '@open-wc/testing';
import { sendKeys, sendMouse } from '@web/test-runner-commands';
import { clickPart, hoverPart } from '../support/click.js';
import { part, sleep, tokenUrl, until, useFakeService, voiceFixture } from '../support/harness.js';

describe('push-to-talk, interrupt', () => {
  const fake = useFakeService();

  it('turns voice detection off, opens the microphone only while the button is held, commits on release', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'push-to-talk': '' });
    await el.start();
    await el.updateComplete;
    const call = fake.service.lastCall!;
    await call.channel();
    const update = await call.nextClientEvent('session.update');
    expect((update.session as { audio: unknown }).audio).to.deep.equal({ input: { turn_detection: null } });
    const track = el.session.localStream!.getAudioTracks()[0]!;
    expect(track.enabled, 'closed until pressed').to.equal(false);
    expect(part(el, 'status')!.textContent).to.contain('Hold the talk button');
    const button = part(el, 'talk-button')!;
    expect(button.getAttribute('aria-pressed')).to.equal('false');

    await hoverPart(el, 'talk-button');
    await sendMouse({ type: 'down' });
    await call.nextClientEvent('input_audio_buffer.clear');
    await el.updateComplete;
    expect(track.enabled).to.equal(true);
    expect(button.getAttribute('aria-pressed')).to.equal('true');
    expect(part(el, 'status')!.textContent).to.contain('release to send');
    expect(call.received.some((e) => e.type === 'input_audio_buffer.commit')).to.equal(false);

    await sendMouse({ type: 'up' });
    await call.nextClientEvent('input_audio_buffer.commit');
    await call.nextClientEvent('response.create');
    expect(track.enabled).to.equal(false);
    const order = call.received
      .map((e) => e.type)
      .filter((t) => t.startsWith('input_audio_buffer') || t === 'response.create');
    expect(order).to.deep.equal(['input_audio_buffer.clear', 'input_audio_buffer.commit', 'response.create']);
    el.stop();
  });

  it('Space held on the focused talk button talks; key repeats do not restart the turn', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'push-to-talk': '' });
    await el.start();
    await el.updateComplete;
    const call = fake.service.lastCall!;
    await call.channel();
    part(el, 'talk-button')!.focus();
    await sendKeys({ down: ' ' });
    await call.nextClientEvent('input_audio_buffer.clear');
    expect(el.session.talking).to.equal(true);
    await sendKeys({ up: ' ' });
    await call.nextClientEvent('response.create');
    expect(el.session.talking).to.equal(false);
    expect(call.received.filter((e) => e.type === 'input_audio_buffer.clear')).to.have.length(1);
    expect(el.state, 'Space did not press anything else').to.equal('connected');
    el.stop();
  });

  it('pressing while the assistant speaks cuts it off first', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'push-to-talk': '' });
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await until(() => el.session.assistantSpeaking, 'the assistant speaking');
    expect(el.startTalking()).to.equal(true);
    await call.nextClientEvent('response.cancel');
    await call.nextClientEvent('output_audio_buffer.clear');
    el.stopTalking();
    el.stop();
  });

  it('outside push-to-talk the methods do nothing and the microphone stays open', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    await el.updateComplete;
    expect(part(el, 'talk-button')).to.equal(null);
    expect(el.startTalking()).to.equal(false);
    expect(el.session.localStream!.getAudioTracks()[0]!.enabled).to.equal(true);
    await sleep(50);
    expect(fake.service.lastCall!.received.some((e) => e.type === 'session.update')).to.equal(false);
    el.stop();
  });

  it('the interrupt button appears while the assistant speaks and cancels the answer', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    await el.updateComplete;
    expect(part(el, 'interrupt-button')).to.equal(null);
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await until(() => part(el, 'interrupt-button') !== null, 'the interrupt button');
    expect(part(el, 'interrupt-button')!.textContent).to.contain('Stop answer');
    await clickPart(el, 'interrupt-button');
    await call.nextClientEvent('response.cancel');
    await call.nextClientEvent('output_audio_buffer.clear');
    call.emit({ type: 'output_audio_buffer.cleared', response_id: 'r1' });
    await until(() => part(el, 'interrupt-button') === null, 'the button gone once the voice stopped');
    el.stop();
  });
});
