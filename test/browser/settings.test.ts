// The session as attributes (turn-detection, eagerness, …): what the token request carries, the
// session.update that brings a call's session to them (only where it differs), the fields a server
// locked (told once, never sent), and changes during a call. Against the in-page fake service;
// test/e2e/settings.test.ts runs them against the reference server and the emulator.
import { expect } from '@open-wc/testing';
import type { FakeCall } from '../fakes/fake-realtime-service.js';
import {
  type Attrs,
  injectConnectionState,
  record,
  tokenRequests,
  tokenUrl,
  until,
  untilState,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

type Update = { type: string; session: Record<string, unknown> & { audio?: { input?: Record<string, unknown> } } };

/** Every attribute, each with a value the service takes. */
const EVERY_SETTING = {
  'turn-detection': 'semantic_vad',
  eagerness: 'high',
  'noise-reduction': 'far_field',
  'transcription-model': 'gpt-4o-transcribe',
  'input-language': 'de',
  'output-modalities': 'text',
  'max-output-tokens': '300',
  'reasoning-effort': 'low',
  'prompt-id': 'pmpt_123',
  'prompt-version': '2',
  'prompt-variables': '{"city":"Paris"}',
};

/** The session.update events the page sent on this call that carry settings (not the tools'). */
function settingUpdates(call: FakeCall): Update[] {
  return (call.received as unknown as Update[]).filter((e) => e.type === 'session.update' && !e.session.tools);
}

async function connected(attrs: Attrs): Promise<{ el: RealtimeVoice; id: string }> {
  const { url, id } = tokenUrl();
  const el = await voiceFixture({ 'token-url': url, ...attrs });
  expect(await el.start()).to.equal(true);
  return { el, id };
}

describe('the session as attributes', () => {
  const fake = useFakeService();

  it('each attribute goes in the token request under its field, and into the session by one session.update', async () => {
    const { el, id } = await connected(EVERY_SETTING);
    const [request] = await tokenRequests(id);
    expect(request!.body).to.deep.equal({
      turn_detection: 'semantic_vad',
      vad_eagerness: 'high',
      noise_reduction: 'far_field',
      transcription_model: 'gpt-4o-transcribe',
      transcription_language: 'de',
      output_modalities: 'text',
      max_output_tokens: '300',
      reasoning_effort: 'low',
      prompt_id: 'pmpt_123',
      prompt_version: '2',
      prompt_variables: '{"city":"Paris"}',
    });
    // The fake's session.created has none of them (a server that did not apply them): one update brings them.
    const call = fake.service.lastCall!;
    await until(() => settingUpdates(call).length > 0, 'the settings update');
    const [update] = settingUpdates(call);
    expect(update!.session).to.deep.equal({
      type: 'realtime',
      audio: {
        input: {
          turn_detection: { type: 'semantic_vad', eagerness: 'high' },
          noise_reduction: { type: 'far_field' },
          transcription: { model: 'gpt-4o-transcribe', language: 'de' },
        },
      },
      output_modalities: ['text'],
      max_output_tokens: 300,
      reasoning: { effort: 'low' },
      prompt: { id: 'pmpt_123', version: '2', variables: { city: 'Paris' } },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(settingUpdates(call), 'sent once').to.have.length(1);
    el.stop();
  });

  it('a call whose session was created with them gets no update; properties work as attributes do', async () => {
    fake.service.behaviour = {
      session: {
        audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.7, silence_duration_ms: 650 } } },
        max_output_tokens: 'inf',
      },
    };
    const { url, id } = tokenUrl();
    const el = await voiceFixture({ 'token-url': url });
    el.vadThreshold = 0.7;
    el.silenceMs = 650;
    el.maxOutputTokens = 'inf';
    expect(await el.start()).to.equal(true);
    expect((await tokenRequests(id))[0]!.body).to.deep.equal({
      vad_threshold: 0.7,
      vad_silence_ms: 650,
      max_output_tokens: 'inf',
    });
    const call = fake.service.lastCall!;
    await call.channel();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settingUpdates(call)).to.deep.equal([]);
    el.stop();
  });

  it('a change during the call updates only what changed; push-to-talk keeps the turn detection to itself', async () => {
    const { el } = await connected({ eagerness: 'low' });
    const call = fake.service.lastCall!;
    await until(() => settingUpdates(call).length === 1, 'the first update');
    el.setAttribute('eagerness', 'high');
    el.setAttribute('reasoning-effort', 'medium');
    await until(() => settingUpdates(call).length === 2, 'the update of the change');
    expect(settingUpdates(call)[1]!.session).to.deep.equal({
      type: 'realtime',
      audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } } },
      reasoning: { effort: 'medium' },
    });
    // A re-render without a change sends nothing.
    el.requestUpdate();
    el.removeAttribute('prompt-id');
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(settingUpdates(call)).to.have.length(2);
    el.stop();

    const talk = await voiceFixture({
      'token-url': tokenUrl().url,
      'push-to-talk': '',
      'turn-detection': 'server_vad',
    });
    expect(await talk.start()).to.equal(true);
    const second = fake.service.lastCall!;
    await second.channel();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const turnDetections = (second.received as unknown as Update[])
      .filter((e) => e.type === 'session.update')
      .map((e) => e.session.audio?.input?.turn_detection)
      .filter((t) => t !== undefined);
    expect(turnDetections, 'only push-to-talk says').to.deep.equal([null]);
    talk.stop();
  });

  it('a field the server locked: it is never sent, and the page is told once, not again after a reconnection', async () => {
    const { url } = tokenUrl({ locked: 'vad_eagerness, reasoning_effort' });
    const el = await voiceFixture({
      'token-url': url,
      eagerness: 'low',
      'reasoning-effort': 'high',
      'noise-reduction': 'near_field',
    });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    const call = fake.service.lastCall!;
    await until(() => settingUpdates(call).length === 1, 'the update of what is not locked');
    expect(settingUpdates(call)[0]!.session).to.deep.equal({
      type: 'realtime',
      audio: { input: { noise_reduction: { type: 'near_field' } } },
    });
    el.setAttribute('eagerness', 'medium');
    await el.updateComplete;
    injectConnectionState(el.session.peerConnection!, 'failed');
    await untilState(el, 'reconnecting');
    await untilState(el, 'connected');
    const next = fake.service.lastCall!;
    expect(next).to.not.equal(call);
    await until(() => settingUpdates(next).length === 1, 'the next call gets the unlocked ones');
    await new Promise((resolve) => setTimeout(resolve, 200));
    for (const update of [...settingUpdates(call), ...settingUpdates(next)]) {
      expect(update.session.reasoning, 'never the locked effort').to.equal(undefined);
      expect(update.session.audio?.input?.turn_detection, 'never the locked eagerness').to.equal(undefined);
    }
    const locked = errors.filter((e) => e.detail.code === 'setting-locked').map((e) => e.detail);
    expect(locked, 'told once').to.have.length(1);
    expect(String(locked[0]!.message)).to.contain('eagerness, reasoning-effort');
    el.stop();
  });

  it('the locked error itself: code, fatal false, the call goes on', async () => {
    const { url } = tokenUrl({ locked: 'turn_detection' });
    const el = await voiceFixture({ 'token-url': url, 'turn-detection': 'none' });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    await until(() => errors.length > 0, 'the locked error');
    expect(errors.map((e) => e.detail)).to.have.length(1);
    expect(errors[0]!.detail).to.include({ code: 'setting-locked', fatal: false });
    expect(String(errors[0]!.detail.message)).to.match(/keeps its own turn-detection/);
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it('prompt-variables that are not JSON: a non-fatal error naming it (once), the rest of the settings still sent', async () => {
    const el = await voiceFixture({
      'token-url': tokenUrl().url,
      'prompt-id': 'pmpt_1',
      'prompt-variables': '{city: Paris}',
      'noise-reduction': 'off',
    });
    const errors = record(el, ['realtime-error']);
    expect(await el.start()).to.equal(true);
    await until(() => errors.length > 0, 'the error');
    expect(errors[0]!.detail).to.include({ code: 'invalid-event', fatal: false });
    expect(String(errors[0]!.detail.message)).to.contain('prompt-variables');
    expect(el.state).to.equal('connected');
    const call = fake.service.lastCall!;
    await until(() => settingUpdates(call).length === 1, 'the other settings');
    expect(settingUpdates(call)[0]!.session).to.deep.equal({
      type: 'realtime',
      audio: { input: { noise_reduction: null } },
      prompt: { id: 'pmpt_1' },
    });
    el.requestUpdate();
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors, 'not again at the next render').to.have.length(1);
    el.stop();
  });

  it('the service speaks before the call part is in: its settings update still goes out, once the call is connected', async () => {
    // The built parts 1 s late: session.created comes long before, and the part answers it while the
    // call is still connecting (the update is queued after the service spoke; it was left there). Not
    // reconnect.test.ts's 1500: the browser reuses a part it fetched from a URL in a later page of the run.
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'parts-url': '/late-parts/1000/', eagerness: 'low' });
    expect(await el.start()).to.equal(true);
    const call = fake.service.lastCall!;
    await until(() => settingUpdates(call).length === 1, 'the settings update', 3000);
    expect(settingUpdates(call)[0]!.session).to.deep.equal({
      type: 'realtime',
      audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'low' } } },
    });
    el.stop();
  });
});
