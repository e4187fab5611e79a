// The session as attributes end to end: the element → the reference server (which validates them,
// applies them to the session it mints and locks what its operator fixed) → the emulator (which honours
// them). test/browser/settings.test.ts covers the element's side against the in-page fake.
import { expect } from '@open-wc/testing';
import { record, voiceFixture } from '../support/harness.js';
import { callLog, recordServerEvents, waitFor } from './e2e-harness.js';

type Session = {
  output_modalities?: string[];
  max_output_tokens?: number | string;
  reasoning?: { effort?: string };
  audio: { input: { turn_detection: { type: string; eagerness?: string } | null; noise_reduction: unknown } };
};

describe('the session as attributes (real server, real call)', () => {
  it('text-only answers with an output cap: the server mints the session with them, the emulator answers in text, cut and incomplete', async () => {
    const el = await voiceFixture({
      'connect-url': '/api/connect',
      'output-modalities': 'text',
      'max-output-tokens': '12',
      'noise-reduction': 'far_field',
    });
    el.muted = true;
    const events = recordServerEvents(el);
    expect(await el.start()).to.equal(true);
    const created = await waitFor(events, (e) => e.type === 'session.created', 5000, 'session.created');
    const session = (created.detail as unknown as { session: Session }).session;
    expect(session.output_modalities).to.deep.equal(['text']);
    expect(session.max_output_tokens).to.equal(12);
    expect(session.audio.input.noise_reduction).to.deep.equal({ type: 'far_field' });
    el.sendText('please tell me a long story about the sea and the ships that sail on it at night');
    const done = await waitFor(events, (e) => e.type === 'response.done', 20_000, 'the answer');
    const response = (done.detail as unknown as { response: { status: string; status_details: { reason: string } } })
      .response;
    expect(response.status).to.equal('incomplete');
    expect(response.status_details.reason).to.equal('max_output_tokens');
    const types = events.map((e) => e.type);
    expect(types).to.include('response.output_text.delta');
    expect(types, 'no audio in a text-only answer').to.not.include('output_audio_buffer.started');
    expect(types).to.not.include('response.output_audio.delta');
    // The server applied them, so the session had them: the element sent no session.update of its own.
    const log = await callLog(el.session.callId!);
    expect(log.clientTypes.filter((t) => t === 'session.update')).to.deep.equal([]);
    expect(log.serverProblems).to.deep.equal([]);
    el.stop();
  });

  it('a change during the call reaches the emulator as one session.update of what changed', async () => {
    const el = await voiceFixture({ 'token-url': '/api/token', 'output-modalities': 'text' });
    el.muted = true;
    const events = recordServerEvents(el);
    expect(await el.start()).to.equal(true);
    await waitFor(events, (e) => e.type === 'session.created', 5000, 'session.created');
    el.maxOutputTokens = 8;
    const updated = await waitFor(events, (e) => e.type === 'session.updated', 5000, 'session.updated');
    expect((updated.detail as unknown as { session: Session }).session.max_output_tokens).to.equal(8);
    el.sendText('please tell me a long story about the sea and the ships that sail on it at night');
    const done = await waitFor(events, (e) => e.type === 'response.done', 20_000, 'the answer');
    expect((done.detail as unknown as { response: { status: string } }).response.status).to.equal('incomplete');
    const log = await callLog(el.session.callId!);
    expect(log.clientTypes.filter((t) => t === 'session.update')).to.have.length(1);
    expect(log.errors).to.deep.equal([]);
    el.stop();
  });

  it('a value the emulator refuses during the call: one error, and the later changes are applied without it', async () => {
    const el = await voiceFixture({ 'token-url': '/api/token' });
    el.muted = true;
    const events = recordServerEvents(el);
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    await waitFor(events, (e) => e.type === 'session.created', 5000, 'session.created');
    const updated = () =>
      events.filter((e) => e.type === 'session.updated').map((e) => e.detail as unknown as { session: Session });
    el.maxOutputTokens = 99_999; // over the service's 4,096
    await waitFor(errors, (e) => e.detail.code === 'service-error', 5000, 'the refusal');
    expect(String(errors[0]!.detail.message)).to.contain('max_output_tokens');
    el.reasoningEffort = 'low';
    await waitFor(events, () => updated().some((u) => u.session.reasoning?.effort === 'low'), 5000, 'effort low');
    // Before, the refused cap went with the change after the first one, and the service refused that whole.
    el.outputModalities = 'text';
    await waitFor(events, () => updated().some((u) => u.session.output_modalities?.[0] === 'text'), 5000, 'text only');
    const log = await callLog(el.session.callId!);
    expect(log.clientTypes.filter((t) => t === 'session.update')).to.have.length(3);
    expect(log.errors, 'one refusal, of the first update').to.have.length(1);
    expect(errors.map((e) => e.detail.code)).to.deep.equal(['service-error']);
    expect(updated().at(-1)!.session.max_output_tokens, "the service's own cap").to.equal('inf');
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it("a locked field: the operator's value in the session, one non-fatal setting-locked, the unlocked ones applied", async () => {
    const el = await voiceFixture({
      'token-url': '/api-locked/token',
      eagerness: 'high',
      'reasoning-effort': 'high',
      'noise-reduction': 'near_field',
    });
    el.muted = true;
    const events = recordServerEvents(el);
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    const created = await waitFor(events, (e) => e.type === 'session.created', 5000, 'session.created');
    const session = (created.detail as unknown as { session: Session }).session;
    expect(session.audio.input.turn_detection).to.include({ type: 'semantic_vad', eagerness: 'low' });
    expect(session.reasoning?.effort).to.equal('minimal');
    expect(session.audio.input.noise_reduction).to.deep.equal({ type: 'near_field' });
    await waitFor(errors, (e) => e.detail.code === 'setting-locked', 5000, 'the locked error');
    const locked = errors.filter((e) => e.detail.code === 'setting-locked');
    expect(locked).to.have.length(1);
    expect(locked[0]!.detail.fatal).to.equal(false);
    expect(String(locked[0]!.detail.message)).to.contain('eagerness, reasoning-effort');
    expect(el.state).to.equal('connected');
    const log = await callLog(el.session.callId!);
    expect(
      log.clientTypes.filter((t) => t === 'session.update'),
      'nothing sent over the lock',
    ).to.deep.equal([]);
    el.stop();
  });

  it('a bad value is refused by the server with a 400 naming the field: a fatal error, nothing started', async () => {
    const el = await voiceFixture({ 'token-url': '/api/token', 'turn-detection': 'sometimes' });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(false);
    expect(errors[0]!.detail).to.include({ status: 400, fatal: true, serverCode: 'invalid_turn_detection' });
    expect(String(errors[0]!.detail.message)).to.match(/turn_detection: must be one of server_vad, semantic_vad, none/);
    expect(el.state).to.equal('error');
  });
});
