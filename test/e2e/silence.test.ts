// Negative control: a silent microphone makes no turn and no answer.
import { expect } from '@open-wc/testing';
import { voiceFixture } from '../support/harness.js';
import { callLog, clickStart, recordServerEvents, sleep } from './e2e-harness.js';

describe('end to end with a silent microphone', () => {
  it('connects, hears nothing, says nothing', async () => {
    const el = await voiceFixture({ 'token-url': '/api/token' });
    const events = recordServerEvents(el);
    await clickStart(el);
    for (let i = 0; i < 100 && el.state !== 'connected'; i++) await sleep(50);
    expect(el.state).to.equal('connected');
    await sleep(6000);
    expect(events.map((e) => e.type)).to.deep.equal(['session.created']);
    const log = await callLog(el.session.callId!);
    expect(log.serverTypes).to.deep.equal(['session.created']);
    expect(el.state).to.equal('connected');
    el.stop();
  });
});
