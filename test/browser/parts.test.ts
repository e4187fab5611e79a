import { assert, expect } from '@open-wc/testing';

import type { RealtimeVoice } from '../../src/realtime-voice.js';
import { record, tokenUrl, until, untilState, useFakeService } from '../support/harness.js';

/** The part files this page has fetched so far (src/parts/… here; dist/realtime-voice.<part>.js when built). */
function partFiles(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname)
    .filter((path) => /\/(parts\/|realtime-voice\.)(call|meters|devices|transcript|layouts)\.[jt]s$/.test(path));
}

const shadow = (el: Element, selector: string) => el.shadowRoot!.querySelector(selector);

describe('core and parts: each optional part is fetched only when used, never delays the click', () => {
  const fake = useFakeService();

  // First in this file: the page has fetched no part yet.
  it('a widget with no optional attribute fetches no part until a call starts, then only the call part', async () => {
    const el = document.createElement('realtime-voice') as RealtimeVoice;
    el.setAttribute('token-url', tokenUrl().url);
    document.body.append(el);
    await el.updateComplete;
    assert.exists(shadow(el, '[part="button"]'), 'the core renders the button');
    expect(partFiles(), 'before any call').to.deep.equal([]);
    expect(await el.start()).to.equal(true);
    await until(() => partFiles().length > 0, 'the call part');
    expect(partFiles().map((p) => p.replace(/^.*\//, ''))).to.deep.equal(['call.ts']);
    el.stop();
    el.remove();
  });

  it('every part on and start() clicked the instant the element upgrades: the call connects, then every part shows', async () => {
    const el = document.createElement('realtime-voice') as RealtimeVoice;
    for (const name of ['transcript', 'text-input', 'meters', 'devices', 'open']) el.setAttribute(name, '');
    el.setAttribute('layout', 'floating');
    el.setAttribute('token-url', tokenUrl().url);
    const states = record(el, ['realtime-state']);
    document.body.append(el);
    // The first render is a microtask after the upgrade; the parts are still being fetched.
    await Promise.resolve();
    await Promise.resolve();
    const button = shadow(el, '[part="button"]') as HTMLButtonElement;
    assert.exists(button, 'the core button is there before the parts');
    button.click();
    expect(
      states.map((e) => e.detail.state),
      'the click is answered at once',
    ).to.deep.equal(['connecting']);
    await untilState(el, 'connected');
    await el.updateComplete;
    for (const part of ['launcher', 'meters', 'devices', 'transcript', 'text-form'])
      assert.exists(shadow(el, `[part~="${part}"]`), `${part} part`);
    // The call part turns the service's events into transcripts, and the transcript part shows them.
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      output_index: 0,
      content_index: 0,
      delta: 'Hello there',
    });
    await until(
      () => !!shadow(el, '[part~="message"]')?.textContent?.includes('Hello there'),
      'the answer in the transcript part',
    );
    el.stop();
    el.remove();
  });

  it('a part that cannot be fetched (404) is a non-fatal part-unavailable error; the core, and the call, still work', async () => {
    const el = document.createElement('realtime-voice') as RealtimeVoice;
    el.setAttribute('parts-url', '/no-such-folder/');
    el.setAttribute('meters', '');
    el.setAttribute('token-url', tokenUrl().url);
    const errors = record(el, ['realtime-error']);
    document.body.append(el);
    await el.updateComplete;
    await until(() => errors.length > 0, 'the meters part failing');
    expect(errors[0]!.detail).to.include({ code: 'part-unavailable', fatal: false });
    expect(errors[0]!.detail.message).to.contain('realtime-voice.meters.js');
    expect(el.state).to.equal('idle');
    expect(shadow(el, '[part="meters"]')).to.equal(null);
    // Focus on the button fetches the token ahead, through the call part: its failure is no unhandled rejection.
    const unhandled: unknown[] = [];
    const onUnhandled = (e: PromiseRejectionEvent) => (unhandled.push(e.reason), e.preventDefault());
    window.addEventListener('unhandledrejection', onUnhandled);
    (shadow(el, '[part="button"]') as HTMLButtonElement).focus();
    await new Promise((resolve) => setTimeout(resolve, 300));
    window.removeEventListener('unhandledrejection', onUnhandled);
    expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    expect(await el.start(), 'the call connects without the parts').to.equal(true);
    // With the call come the call part and the in-call buttons' part: both fail, neither ends the call.
    await until(() => errors.length > 2, 'the call and controls parts failing too');
    const later = errors.slice(1).map((e) => e.detail);
    for (const detail of later) expect(detail).to.include({ code: 'part-unavailable', fatal: false });
    expect(later.map((d) => /realtime-voice\.(\w+)\.js/.exec(String(d.message))![1]).sort()).to.deep.equal([
      'call',
      'controls',
    ]);
    expect(el.state).to.equal('connected');
    expect(shadow(el, '[part="mute-button"]'), 'no in-call buttons without their part').to.equal(null);
    expect(shadow(el, '[part="button"]')!.textContent, 'the call can still be ended').to.contain('End');
    expect(fake.service.calls).to.have.length(1);
    expect(await el.session.callStats(), 'no call part: no figures, and no throw').to.equal(undefined);
    el.stop();
    el.remove();
  });

  it('parts-url loads the built parts from that base URL (here dist/, as a CDN folder would hold them)', async () => {
    const el = document.createElement('realtime-voice') as RealtimeVoice;
    el.setAttribute('parts-url', '/dist/');
    el.setAttribute('transcript', '');
    el.setAttribute('text-input', '');
    el.setAttribute('token-url', tokenUrl().url);
    document.body.append(el);
    await el.updateComplete;
    expect(partFiles()).to.include('/dist/realtime-voice.transcript.js');
    assert.exists(shadow(el, '[part="transcript"]'), 'the built part renders in this element');
    assert.exists(shadow(el, '[part="text-form"]'));
    el.remove();
  });
});
