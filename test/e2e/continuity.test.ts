// Conversations that continue, end to end (element ↔ reference server ↔ emulator): a reconnection
// gives the new call the earlier turns, and with `persist` so does a reload of the page. The
// emulator records what each response was given as its context, which is what is asserted.
import { expect } from '@open-wc/testing';
import { injectConnectionState, part, record, until, voiceFixture } from '../support/harness.js';
import { callLog, waitFor } from './e2e-harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

/** The context the call's last response saw, as `role: text` lines (ids and empty items left out). */
async function lastContext(callId: string): Promise<string[]> {
  const log = await callLog(callId);
  const last = log.contexts.at(-1);
  return (last?.items ?? []).filter((i) => i.type === 'message' && i.text).map((i) => `${i.role}: ${i.text}`);
}

/** Types a message and waits for the answer's final text. */
async function ask(el: RealtimeVoice, text: string): Promise<string> {
  const transcripts = record(el, ['realtime-transcript']);
  expect(el.sendText(text)).to.equal(true);
  const answer = await waitFor(
    transcripts,
    (t) => t.detail.role === 'assistant' && t.detail.final === true,
    20_000,
    'the answer',
  );
  return String(answer.detail.text);
}

describe('conversations that continue (real server, real calls)', () => {
  it('a reconnection gives the new call the earlier turns before its first answer; the transcript stays', async () => {
    const el = await voiceFixture({ 'token-url': '/api/token', transcript: '' });
    el.muted = true;
    expect(await el.start()).to.equal(true);
    const first = await ask(el, 'My name is Ada.');
    const states = record(el, ['realtime-state']);
    injectConnectionState(el.session.peerConnection!, 'failed');
    await waitFor(states, (s) => s.detail.state === 'connected', 15_000, 'connected again');
    await ask(el, 'What is my name?');
    const context = await lastContext(el.session.callId!);
    expect(context).to.deep.equal(['user: My name is Ada.', `assistant: ${first}`, 'user: What is my name?']);
    await el.updateComplete;
    const shown = part(el, 'transcript')!.textContent!;
    expect(shown, 'the first turn is still on screen').to.contain('My name is Ada.');
    expect(shown).to.contain('The conversation goes on');
    el.stop();
  });

  it('persist: a reload mid-conversation shows the transcript before any call, and the next answer is given the earlier turns', async () => {
    sessionStorage.removeItem('realtime-voice:history:helper');
    const frame = document.createElement('iframe');
    frame.allow = 'microphone; autoplay';
    frame.style.cssText = 'width: 480px; height: 600px';
    frame.src = '/test/fixtures/persist-page.html';
    document.body.appendChild(frame);
    try {
      const widget = async () => {
        await until(() => !!frame.contentWindow?.customElements?.get('realtime-voice'), 'the page loaded', 15_000);
        const el = frame.contentDocument!.querySelector('realtime-voice') as RealtimeVoice;
        await el.updateComplete;
        return el;
      };
      let el = await widget();
      el.muted = true;
      const usage = (target: RealtimeVoice) => record(target, ['realtime-usage']);
      const firstUsage = usage(el);
      expect(await el.start()).to.equal(true);
      const answer = await ask(el, 'Remember the number 42.');
      await until(() => firstUsage.length === 1, 'the usage of the first answer');
      // Kept as text only: the turns, when, and no token or instructions.
      const stored = frame.contentWindow!.sessionStorage.getItem('realtime-voice:history:helper')!;
      expect(JSON.parse(stored).turns.map((t: { text: string }) => t.text)).to.deep.equal([
        'Remember the number 42.',
        answer,
      ]);
      expect(Object.keys(JSON.parse(stored))).to.deep.equal(['v', 'at', 'turns']);
      expect(stored).to.not.match(/ek_|Bearer/);

      const firstCall = el.session.callId!;
      type PageWindow = Window & { loadedAt?: number; stale?: boolean };
      const page = () => frame.contentWindow as PageWindow | null;
      page()!.stale = true;
      page()!.location.reload();
      await until(() => !!page() && !page()!.stale && page()!.loadedAt !== undefined, 'the page reloaded', 15_000);
      el = await widget();
      const loadedAt = page()!.loadedAt!;
      const transcript = () => part(el, 'transcript')?.textContent ?? '';
      await until(() => transcript().includes('Remember the number 42.'), 'the restored transcript', 10_000);
      const restoredMs = frame.contentWindow!.performance.now() - loadedAt;
      console.log(`[continuity] restored transcript ${Math.round(restoredMs)} ms after the page's module ran`);
      expect(el.state, 'before any call').to.equal('idle');
      expect(transcript()).to.contain(answer);
      expect(el.session.history).to.have.length(2);

      el.muted = true;
      const laterUsage = usage(el);
      expect(await el.start()).to.equal(true);
      expect(el.session.callId).to.not.equal(firstCall);
      await ask(el, 'Which number?');
      await until(() => laterUsage.length === 1, 'the usage of the answer after the reload');
      // What the two turns given back cost: the later answer's input text beyond the first's.
      type Usage = { response: { inputTextTokens: number }; conversation: { responses: number } };
      const before = (firstUsage[0]!.detail as unknown as Usage).response.inputTextTokens;
      const after = (laterUsage[0]!.detail as unknown as Usage).response.inputTextTokens;
      console.log(`[continuity] 2 turns given back; input text tokens ${before} → ${after} (+${after - before})`);
      expect(after, 'the turns given back are billed as input').to.be.above(before);
      // The totals are this page's: a reload counts from zero (the store keeps the turns' text only).
      expect((laterUsage[0]!.detail as unknown as Usage).conversation.responses).to.equal(1);
      expect(await lastContext(el.session.callId!)).to.deep.equal([
        'user: Remember the number 42.',
        `assistant: ${answer}`,
        'user: Which number?',
      ]);
      el.stop();

      // clearHistory() empties the view and the store: a reload shows nothing.
      el.clearHistory();
      await el.updateComplete;
      expect(transcript()).to.not.contain('42');
      expect(frame.contentWindow!.sessionStorage.getItem('realtime-voice:history:helper')).to.equal(null);
    } finally {
      frame.remove();
    }
  });
});
