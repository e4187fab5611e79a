// The call part's SettingsSync (src/session/settings.ts): the page's session attributes against what the
// service says the call's session is. Unit tests of the order of its answers; the browser tests
// (test/browser/settings.test.ts) and the end-to-end ones run it against a fake service and the emulator.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SettingsSync, type SettingsHost } from '../../src/session/settings.ts';
import { RealtimeError } from '../../src/session/errors.ts';
import type { PageSettings } from '../../src/events/session-settings.ts';
import type { RealtimeServerEvent } from '../../src/events/server-events.ts';

type Sent = { type: string; event_id?: string; session: Record<string, unknown> };

function setup(settings: PageSettings) {
  const sent: Sent[] = [];
  /** What was sent, without the event_ids the sync gives its updates. */
  const bodies = () => sent.map(({ event_id: _, ...event }) => event);
  const reported: RealtimeError[] = [];
  const options = { settings };
  const host: SettingsHost = {
    options: () => options,
    locked: () => [],
    send: (event) => (sent.push(event as unknown as Sent), true),
    report: (error) => void reported.push(error),
  };
  const sync = new SettingsSync(host, (name) => name, RealtimeError);
  const serverEvent = (type: string, session: Record<string, unknown>) =>
    sync.handle({
      type,
      event_id: `e${sent.length}`,
      session: { type: 'realtime', ...session },
    } as RealtimeServerEvent);
  /** The service refuses the update sent n-th (from 1), naming `param`. */
  const refuse = (n: number, param: string | null) =>
    sync.handle({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_value',
        message: 'no',
        param,
        event_id: sent[n - 1]!.event_id,
      },
    } as RealtimeServerEvent);
  return { sync, sent, bodies, reported, options, serverEvent, refuse };
}

const vad = (eagerness: string) => ({ audio: { input: { turn_detection: { type: 'semantic_vad', eagerness } } } });

describe('SettingsSync', () => {
  test('a new session gets what it lacks of the page settings, once', () => {
    const { sent, bodies, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', { audio: { input: { turn_detection: { type: 'server_vad' } } } });
    assert.deepEqual(bodies(), [{ type: 'session.update', session: { type: 'realtime', ...vad('low') } }]);
    serverEvent('session.updated', vad('low'));
    assert.equal(sent.length, 1);
  });

  test("an answer to an earlier update does not undo a later one: nothing is sent twice (the service's answers lag)", () => {
    const { sync, sent, options, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', {});
    assert.equal(sent.length, 1);
    // The page changes a setting before the service answered the first update.
    options.settings = { eagerness: 'high', 'reasoning-effort': 'medium' };
    sync.sync();
    assert.equal(sent.length, 2);
    assert.deepEqual(sent[1]!.session, { type: 'realtime', ...vad('high'), reasoning: { effort: 'medium' } });
    // The answer to the first update comes now; a render in between must not send the second again.
    serverEvent('session.updated', vad('low'));
    sync.sync();
    assert.equal(sent.length, 2, 'the later update is still on its way: not sent again');
    serverEvent('session.updated', { ...vad('high'), reasoning: { effort: 'medium' } });
    sync.sync();
    assert.equal(sent.length, 2);
  });

  test('the service says the session changed on its own (no update pending): the page settings go back in', () => {
    const { sync, sent, bodies, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', vad('low'));
    assert.equal(sent.length, 0, 'created with them: nothing to send');
    serverEvent('session.updated', vad('auto'));
    sync.sync();
    assert.deepEqual(bodies(), [{ type: 'session.update', session: { type: 'realtime', ...vad('low') } }]);
  });

  test("a new call's session.created forgets the last call's unanswered updates", () => {
    const { sync, sent, options, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', {});
    options.settings = { eagerness: 'high' };
    sync.sync();
    assert.equal(sent.length, 2);
    // A new call: its session has the page's current settings already.
    serverEvent('session.created', vad('high'));
    assert.equal(sent.length, 2);
    // Its first session.updated (from a page update) answers nothing of the old call's.
    serverEvent('session.updated', vad('low'));
    sync.sync();
    assert.equal(sent.length, 3, 'the new session lost the setting: it is sent again');
    assert.deepEqual(sent[2]!.session, { type: 'realtime', ...vad('high') });
  });

  test("another update's answer (the tools', the page's own) is not taken for the settings': nothing sent twice", () => {
    const { sync, sent, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', {});
    assert.equal(sent.length, 1);
    // The tools' session.update went first: its answer does not have the page's settings yet.
    serverEvent('session.updated', { tools: [] });
    sync.sync();
    assert.equal(sent.length, 1, 'the settings are still on their way');
    serverEvent('session.updated', { tools: [], ...vad('low') });
    sync.sync();
    assert.equal(sent.length, 1);
  });

  test('each update names itself (event_id), so an error can say which one it refused', () => {
    const { sync, sent, options, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', {});
    options.settings = { eagerness: 'high' };
    sync.sync();
    assert.equal(sent.length, 2);
    assert.ok(sent[0]!.event_id && sent[1]!.event_id);
    assert.notEqual(sent[0]!.event_id, sent[1]!.event_id);
  });

  test('a refused field: the rest of that update goes again at once, and the refused value is not sent with later changes', () => {
    const { sync, sent, options, serverEvent, refuse } = setup({ 'vad-threshold': 7, 'reasoning-effort': 'low' });
    serverEvent('session.created', {});
    assert.deepEqual(sent[0]!.session, {
      type: 'realtime',
      audio: { input: { turn_detection: { type: 'server_vad', threshold: 7 } } },
      reasoning: { effort: 'low' },
    });
    refuse(1, 'session.audio.input.turn_detection.threshold');
    assert.equal(sent.length, 2, 'what the service did not object to goes again');
    assert.deepEqual(sent[1]!.session, { type: 'realtime', reasoning: { effort: 'low' } });
    serverEvent('session.updated', { reasoning: { effort: 'low' } });
    // The page changes another setting: the refused threshold does not go with it.
    options.settings = { 'vad-threshold': 7, 'reasoning-effort': 'high' };
    sync.sync();
    assert.equal(sent.length, 3);
    assert.deepEqual(sent[2]!.session, { type: 'realtime', reasoning: { effort: 'high' } });
    serverEvent('session.updated', { reasoning: { effort: 'high' } });
    sync.sync();
    assert.equal(sent.length, 3, 'nothing more at the next render');
    // The page changes the refused one: its new value is sent.
    options.settings = { 'vad-threshold': 0.4, 'reasoning-effort': 'high' };
    sync.sync();
    assert.deepEqual(sent[3]!.session, {
      type: 'realtime',
      audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.4 } } },
    });
    serverEvent('session.updated', { audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.4 } } } });
    // And back to the refused one: sent, so the service says again why it refuses it (not a silent nothing).
    options.settings = { 'vad-threshold': 7, 'reasoning-effort': 'high' };
    sync.sync();
    assert.equal(sent.length, 5);
  });

  test('an error that names no field of the update refuses all of it: nothing goes again until the page changes it', () => {
    const { sync, sent, options, serverEvent, refuse } = setup({ eagerness: 'low', 'reasoning-effort': 'low' });
    serverEvent('session.created', {});
    refuse(1, null);
    assert.equal(sent.length, 1, 'not sent again');
    sync.sync();
    assert.equal(sent.length, 1);
    options.settings = { eagerness: 'low', 'reasoning-effort': 'medium' };
    sync.sync();
    assert.deepEqual(sent[1]!.session, { type: 'realtime', reasoning: { effort: 'medium' } });
  });

  test('an error for some other event (its event_id not one of the updates) changes nothing', () => {
    const { sync, sent, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', {});
    sync.handle({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'x', message: 'no', param: null, event_id: 'rv_cancel_1' },
    } as RealtimeServerEvent);
    sync.sync();
    assert.equal(sent.length, 1, 'still on its way: not sent again');
  });
});
