import { expect } from '@open-wc/testing';

import { useFakeService, record, sleep, tokenUrl, untilState, voiceFixture } from '../support/harness.js';

describe('lifecycle: one call at a time, stop at any step, spam', () => {
  const fake = useFakeService();

  it('start() twice opens one call and returns the same promise', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 100 }).url });
    const first = el.start();
    const second = el.start();
    expect(second).to.equal(first);
    expect(await first).to.equal(true);
    expect(await el.start()).to.equal(true);
    expect(fake.service.calls).to.have.length(1);
    expect(fake.probe.tracks).to.have.length(1);
    el.stop();
  });

  it('stop() while the token is being fetched ends quietly: no error, nothing left', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 400 }).url });
    const log = record(el, ['realtime-state', 'realtime-error']);
    const started = el.start();
    await sleep(100);
    el.stop();
    expect(await started).to.equal(false);
    await sleep(500); // the token answer arrives after the stop and must be ignored
    expect(log.map((e) => (e.type === 'realtime-state' ? e.detail.state : e.detail.code))).to.deep.equal([
      'connecting',
      'closing',
      'closed',
    ]);
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    expect(fake.service.calls).to.have.length(0);
  });

  it('removal of the element while connecting releases everything', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl({ delay: 300 }).url });
    const started = el.start();
    await sleep(50);
    el.remove();
    expect(await started).to.equal(false);
    await sleep(400);
    expect(el.state).to.equal('closed');
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);
  });

  it('start() and stop() hammered 100 times in random order leave one clean state, then start() works', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    const errors = record(el, ['realtime-error']);
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pending: Array<Promise<boolean>> = [];
    for (let i = 0; i < 100; i++) {
      if (random() < 0.5) pending.push(el.start());
      else el.stop();
      if (random() < 0.3) await sleep(Math.floor(random() * 40));
    }
    el.stop();
    await Promise.all(pending);
    await sleep(300);
    expect(el.state).to.equal('closed');
    expect(
      errors.map((e) => e.detail.code),
      'stops are not errors',
    ).to.deep.equal([]);
    expect(fake.probe.liveTracks()).to.have.length(0);
    expect(fake.openPeers()).to.have.length(0);
    expect(el.shadowRoot!.querySelectorAll('audio')).to.have.length(0);
    expect(el.session.pendingTimers).to.equal(0);

    expect(await el.start()).to.equal(true);
    expect(fake.probe.liveTracks()).to.have.length(1);
    el.stop();
    await untilState(el, 'closed');
  });
});
