// The widget's parts end to end, for real: Chromium with a speaking fake
// microphone, the reference server's /token, the emulator over WebRTC.
import { assert, expect } from '@open-wc/testing';
import { sendMouse } from '@web/test-runner-commands';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import { hoverPart } from '../support/click.js';
import { injectConnectionState, part, record, voiceFixture } from '../support/harness.js';
import { callLog, clickStart, pollCallLog, recordServerEvents, sleep, waitFor } from './e2e-harness.js';

const INSTRUCTIONS = 'You are the widget test assistant.';
let el: RealtimeVoice | undefined;

afterEach(() => {
  el?.stop();
  el = undefined;
});

function screenEntries(voice: RealtimeVoice): Array<[string, string]> {
  return [...voice.shadowRoot!.querySelectorAll<HTMLElement>('[part~="message"]')].map((p) => [
    p.dataset.role!,
    [...p.childNodes]
      .filter((n) => n.nodeType === Node.TEXT_NODE)
      .map((n) => n.textContent)
      .join('')
      .trim(),
  ]);
}

describe('the widget with the emulator', () => {
  it('transcript on screen for both sides, level meters moved by the real voices, a cut answer marked as cut', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS, transcript: '', meters: '' });
    const events = recordServerEvents(el);
    const transcripts = record(el, ['realtime-transcript']);
    let input = 0;
    let output = 0;
    el.addEventListener('realtime-levels', (e) => {
      input = Math.max(input, e.detail.input);
      output = Math.max(output, e.detail.output);
    });
    await clickStart(el);
    await waitFor(events, (e) => e.type === 'output_audio_buffer.stopped', 50_000, 'an answer played to its end');
    const entries = screenEntries(el);
    expect(
      entries.some(([role, text]) => role === 'user' && /^\[\d+\.\d s of speech\]$/.test(text)),
      JSON.stringify(entries),
    ).to.equal(true);
    expect(
      entries.some(([role, text]) => role === 'assistant' && text.endsWith(`My instructions begin: ${INSTRUCTIONS}`)),
      JSON.stringify(entries),
    ).to.equal(true);
    expect(input, 'the spoken microphone moved the input meter').to.be.greaterThan(0.05);
    expect(output, "the emulator's voice moved the output meter").to.be.greaterThan(0.02);
    // The second sentence usually cuts the first answer, while generated (cancelled) or while its
    // audio plays (cleared); if any of its text had arrived, it is cut to what was heard. (Not
    // always: a clean-clone run saw no barge-in here in Firefox, cause not found, perhaps its echo
    // canceller holding the user's voice back while the assistant talks; voice.test.ts asserts the
    // barge-in itself.)
    const first = events.find((e) => e.type === 'response.done')!;
    const cut =
      first.detail.response.status === 'cancelled' ||
      events.some((e) => e.type === 'output_audio_buffer.cleared' && e.detail.response_id === first.detail.response.id);
    const cutItem: string | undefined = cut ? first.detail.response.output[0]?.id : undefined;
    const cutTexts = transcripts.filter((t) => t.detail.itemId === cutItem && t.detail.role === 'assistant');
    if (cutTexts.length) {
      const last = cutTexts.at(-1)!.detail;
      expect(last.truncated, JSON.stringify(cutTexts.map((t) => t.detail))).to.equal(true);
      expect(
        cutTexts.filter((t) => t.detail.truncated),
        'cut once',
      ).to.have.length(1);
      assert.exists(
        entries.find(([, text]) => text === last.text),
        `the screen shows it: ${JSON.stringify(entries)}`,
      );
    }
  });

  it('tools: the emulator calls the page tool, the element answers it by itself, the model speaks the result', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS, transcript: '' });
    el.muted = true;
    const calls: unknown[] = [];
    el.tools = [
      {
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
        handler: async (args) => (calls.push(args), { celsius: 21 }),
      },
    ];
    const transcripts = record(el, ['realtime-transcript']);
    expect(await el.start()).to.equal(true);
    el.sendText('get_weather in Paris please');
    const spoken = await waitFor(
      transcripts,
      (t) => t.detail.role === 'assistant' && t.detail.final,
      20_000,
      'the spoken result',
    );
    expect(spoken.detail.text).to.equal('The get_weather tool answered: {"celsius":21}.');
    expect(calls).to.deep.equal([{ city: 'get_weather in Paris please' }]);
    const log = await callLog(el.session.callId!);
    expect(log.clientProblems, 'the element’s tool events match the GA schemas').to.deep.equal([]);
    expect(log.errors).to.deep.equal([]);
  });

  it('a tool past its timeout: the model is told and says so, its signal fired, the transcript shows it failed', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS, transcript: '' });
    el.muted = true;
    const reasons: string[] = [];
    el.tools = [
      {
        name: 'slow_lookup',
        timeoutMs: 300,
        handler: (_args, { signal }) =>
          new Promise((_, reject) =>
            signal.addEventListener(
              'abort',
              () => (reasons.push((signal.reason as Error).name), reject(signal.reason)),
            ),
          ),
      },
    ];
    const transcripts = record(el, ['realtime-transcript']);
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    el.sendText('slow_lookup my order');
    const spoken = await waitFor(
      transcripts,
      (t) => t.detail.role === 'assistant' && t.detail.final,
      20_000,
      'the answer after the timeout',
    );
    expect(spoken.detail.text).to.equal('The slow_lookup tool answered: {"error":"it did not answer within 0.3 s"}.');
    expect(reasons).to.deep.equal(['timeout']);
    expect(errors.some((e) => (e.detail as { code: string }).code === 'tool-failed')).to.equal(true);
    await el.updateComplete;
    const rows = [...el.shadowRoot!.querySelectorAll('[part~="tool"]')].map((row) => row.textContent!.trim());
    expect(rows).to.deep.equal(['slow_lookup did not work.']);
    const log = await callLog(el.session.callId!);
    expect(log.errors, 'no active-response error from the follow-up').to.deep.equal([]);
  });

  it('push-to-talk: voice detection off at the emulator, a held turn is committed on release and answered', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS, 'push-to-talk': '' });
    const events = recordServerEvents(el);
    expect(await el.start()).to.equal(true);
    const updated = await waitFor(events, (e) => e.type === 'session.updated', 5000);
    expect(updated.detail.session.audio.input.turn_detection).to.equal(null);
    await sleep(1500);
    expect(
      events.some((e) => e.type === 'input_audio_buffer.speech_started'),
      'no voice detection while not talking',
    ).to.equal(false);
    expect(el.startTalking()).to.equal(true);
    await sleep(2500);
    el.stopTalking();
    await waitFor(events, (e) => e.type === 'input_audio_buffer.committed', 5000, 'the commit');
    const done = await waitFor(events, (e) => e.type === 'response.done', 20_000, 'the answer');
    expect(done.detail.response.status).to.equal('completed');
    expect(events.some((e) => e.type === 'input_audio_buffer.speech_started')).to.equal(false);
    const log = await callLog(el.session.callId!);
    expect(log.errors, 'no input_audio_buffer_commit_empty or other error').to.deep.equal([]);
  });

  it('the token is fetched while the pointer rests on the start button, and the click connects with it', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS });
    const tokenRequests = () =>
      performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/api/token')).length;
    performance.clearResourceTimings(); // the buffer holds 250 entries; the test page's modules may have filled it
    const before = tokenRequests();
    await hoverPart(el, 'button');
    for (let i = 0; i < 100 && tokenRequests() === before; i++) await sleep(20);
    expect(tokenRequests() - before, 'one token request from the hover').to.equal(1);
    expect(el.state).to.equal('idle');
    const states = record(el, ['realtime-state']);
    await clickStart(el);
    await waitFor(states, (s) => s.detail.state === 'connected', 15_000, 'connected');
    expect(tokenRequests() - before, 'the click used the token from the hover').to.equal(1);
    expect((await callLog(el.session.callId!)).found, 'a call at the emulator').to.equal(true);
    await sendMouse({ type: 'move', position: [0, 0] });
  });

  it('a lost network: reconnecting, a new call at the emulator, the old one ended, the conversation goes on', async () => {
    el = await voiceFixture({ 'token-url': '/api/token', instructions: INSTRUCTIONS, transcript: '' });
    el.muted = true;
    expect(await el.start()).to.equal(true);
    const firstCall = el.session.callId!;
    const states = record(el, ['realtime-state']);
    injectConnectionState(el.session.peerConnection!, 'failed');
    await waitFor(states, (s) => s.detail.state === 'connected', 15_000, 'connected again');
    expect(states.map((s) => s.detail.state)).to.deep.equal(['reconnecting', 'connected']);
    expect(el.session.callId).to.not.equal(firstCall);
    const lost = await pollCallLog(firstCall, (log) => !log.found, 5000);
    expect(lost.found, 'the lost call was ended at the emulator').to.equal(false);
    await el.updateComplete;
    expect(part(el, 'transcript')!.textContent).to.contain('The conversation goes on');
    const transcripts = record(el, ['realtime-transcript']);
    el.sendText('still there?');
    const spoken = await waitFor(transcripts, (t) => t.detail.role === 'assistant' && t.detail.final, 20_000);
    expect(spoken.detail.text).to.equal(`You wrote: still there? My instructions begin: ${INSTRUCTIONS}`);
  });
});
