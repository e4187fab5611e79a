// Bad networks end to end (issue 18): the call's media and ICE cross a UDP relay on loopback
// (test/support/udp-relay.ts) that the test scripts; the element talks to the real server and emulator.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { record, until, voiceFixture } from '../support/harness.js';
import { callLog, recordServerEvents, sleep } from './e2e-harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

type Stats = Record<'up' | 'down', { received: number; forwarded: number; lost: number; blackedOut: number }>;
// This engine's own relay lane: Chromium and Firefox run this file at the same time against one server.
const lane = /Firefox\//.test(navigator.userAgent)
  ? 'firefox'
  : /Chrome\//.test(navigator.userAgent)
    ? 'chromium'
    : 'webkit';
const relay = (command: string, payload: Record<string, unknown> = {}) =>
  executeServerCommand(`relay-${command}`, { ...payload, lane }) as Promise<Stats>;

async function connected(
  attrs: Record<string, string> = {},
): Promise<{ el: RealtimeVoice; events: ReturnType<typeof recordServerEvents> }> {
  const el = await voiceFixture({ 'connect-url': `/api-impaired/${lane}/connect`, ...attrs });
  el.muted = true;
  const events = recordServerEvents(el);
  const errors = record(el, ['realtime-error']);
  const started = await el.start();
  expect(started, JSON.stringify(errors.map((e) => e.detail))).to.equal(true);
  errorsOf.set(el, errors);
  return { el, events };
}

const errorsOf = new WeakMap<RealtimeVoice, Array<{ detail: unknown }>>();

/** One typed turn, answered with voice that plays to its end. */
async function turn(el: RealtimeVoice, events: ReturnType<typeof recordServerEvents>, n: number): Promise<void> {
  const from = events.length;
  el.sendText(`turn ${n}: tell me something short`);
  const later = () => events.slice(from);
  const deadline = performance.now() + 30_000;
  while (!later().some((e) => e.type === 'output_audio_buffer.stopped')) {
    if (performance.now() > deadline)
      throw new Error(
        `turn ${n} not answered: ${later()
          .map((e) => e.type)
          .join(', ')}; errors: ${JSON.stringify(errorsOf.get(el)?.map((e) => e.detail))}`,
      );
    await sleep(50);
  }
  const done = later().find((e) => e.type === 'response.done')!;
  expect((done.detail as unknown as { response: { status: string } }).response.status).to.equal('completed');
}

describe('a bad network (real server, emulator, a UDP relay)', function () {
  // Three voiced turns over a lossy path, or a blackout and a reconnection, outlast the default 45 s
  // on a loaded 2-core CI machine (Firefox at 15 % loss, once). Each wait has its own deadline and
  // says what it saw; this only keeps mocha from cutting a slow test short without saying so.
  this.timeout(120_000);
  for (const loss of [0.05, 0.15]) {
    it(`${loss * 100} % loss with 150 ± 50 ms jitter: every turn is answered with voice, the call stays connected`, async () => {
      const { el, events } = await connected();
      const states = record(el, ['realtime-state']);
      await relay('impair', { impairment: { loss, delayMs: 150, jitterMs: 50 } });
      for (let n = 1; n <= 3; n++) await turn(el, events, n);
      expect(
        states.map((s) => s.detail.state),
        'no state change while impaired',
      ).to.deep.equal([]);
      expect(el.state).to.equal('connected');
      const stats = await relay('stats');
      const lossSeen = stats.down.lost / stats.down.received;
      expect(lossSeen, 'the relay lost what it was told to').to.be.within(loss / 2, loss * 2);
      // The page's own figures see the loss on the model's voice, and conceal it.
      const call = await el.session.callStats();
      expect(call!.packetsLost, 'the browser saw packets lost').to.be.greaterThan(0);
      el.stop();
    });
  }

  it('a 3 s blackout: the same call comes back (ICE consent survives), no new call, and the next turn is answered', async () => {
    const { el, events } = await connected();
    const states = record(el, ['realtime-state']);
    const callId = el.session.callId;
    await turn(el, events, 1);
    await relay('blackout', { ms: 3000 });
    await sleep(3500);
    await turn(el, events, 2);
    expect(el.session.callId, 'the same call').to.equal(callId);
    expect(states.map((s) => s.detail.state)).to.deep.equal([]);
    const stats = await relay('stats');
    expect(stats.up.blackedOut + stats.down.blackedOut, 'the blackout dropped traffic').to.be.greaterThan(20);
    el.stop();
  });

  it('a 20 s blackout: the element reconnects on its own (a new call) and the conversation goes on with its turns given back', async () => {
    const { el, events } = await connected({ transcript: '' });
    const states = record(el, ['realtime-state']);
    await turn(el, events, 1);
    const first = el.session.callId;
    await relay('blackout', { ms: 20_000 });
    // The old path stays dark; the new call's relay is a new one, and works. Before the call is given up,
    // the silence is explained (the browser says the path is disconnected; the call may still come back).
    await until(
      () => el.shadowRoot!.textContent!.includes('network connection is interrupted'),
      'the interrupted notice',
      15_000,
    );
    expect(
      states.map((s) => s.detail.state),
      'no state change while it may come back',
    ).to.deep.equal([]);
    await until(() => states.some((s) => s.detail.state === 'reconnecting'), 'reconnecting', 15_000);
    await until(() => el.state === 'connected' && el.session.callId !== first, 'a new call', 30_000);
    expect(states.map((s) => s.detail.state).slice(0, 2)).to.deep.equal(['reconnecting', 'connected']);
    expect(el.shadowRoot!.textContent).to.contain('Reconnected');
    await turn(el, events, 2);
    const log = await callLog(el.session.callId!);
    const context = (log.contexts.at(-1)?.items ?? []).map((i) => i.text).join(' | ');
    expect(context, 'the earlier turn given back to the new call').to.contain('turn 1');
    el.stop();
  });

  it('the network gone for good: a clear fatal error, nothing hangs, the microphone is released', async () => {
    const { el } = await connected({ 'reconnect-attempts': '0' });
    const errors = record(el, ['realtime-error']);
    const stream = el.session.localStream!;
    try {
      await relay('gone');
      await until(() => el.state === 'error', 'the error state', 30_000);
      const fatal = errors.map((e) => e.detail).find((d) => d.fatal);
      expect(fatal?.code).to.be.oneOf(['connection-lost', 'ice-failed']);
      expect(String(fatal?.message)).to.match(/connection|network/i);
      expect(
        stream.getTracks().every((t) => t.readyState === 'ended'),
        'microphone released',
      ).to.equal(true);
      expect(el.session.localStream).to.equal(undefined);
    } finally {
      await relay('back');
      el.stop();
    }
  });
});
