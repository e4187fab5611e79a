// The call part's SettingsSync (src/session/settings.ts): the page's session attributes against what the
// service says the call's session is. Unit tests of the order of its answers; the browser tests
// (test/browser/settings.test.ts) and the end-to-end ones run it against a fake service and the emulator.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SettingsSync, type SettingsHost } from '../../src/session/settings.ts';
import { RealtimeError } from '../../src/session/errors.ts';
import type { PageSettings } from '../../src/events/session-settings.ts';
import type { RealtimeServerEvent } from '../../src/events/server-events.ts';

type Sent = { type: string; session: Record<string, unknown> };

function setup(settings: PageSettings) {
  const sent: Sent[] = [];
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
  return { sync, sent, reported, options, serverEvent };
}

const vad = (eagerness: string) => ({ audio: { input: { turn_detection: { type: 'semantic_vad', eagerness } } } });

describe('SettingsSync', () => {
  test('a new session gets what it lacks of the page settings, once', () => {
    const { sent, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', { audio: { input: { turn_detection: { type: 'server_vad' } } } });
    assert.deepEqual(sent, [{ type: 'session.update', session: { type: 'realtime', ...vad('low') } }]);
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
    const { sync, sent, serverEvent } = setup({ eagerness: 'low' });
    serverEvent('session.created', vad('low'));
    assert.equal(sent.length, 0, 'created with them: nothing to send');
    serverEvent('session.updated', vad('auto'));
    sync.sync();
    assert.deepEqual(sent, [{ type: 'session.update', session: { type: 'realtime', ...vad('low') } }]);
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
});
