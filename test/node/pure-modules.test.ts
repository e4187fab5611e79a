// Unit tests of the widget's pure modules, beside the behaviour tests in the browser (issue 15 item 6): the
// status words, the retry and renewal policy, the token fetched ahead, the send queue and the transcripts.
// The tool rule has its own file (tool-rule.test.ts).
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';
import type { RealtimeClientEvent } from '../../src/events/client-events.ts';
import type { RealtimeErrorCode, RealtimeErrorDetail, RealtimeState } from '../../src/events/details.ts';
import type { RealtimeServerEvent } from '../../src/events/server-events.ts';
import { en, type CoreWords } from '../../src/i18n/en.ts';
import { inSteps, levelOf } from '../../src/audio/levels.ts';
import {
  DEFAULT_RECONNECT_ATTEMPTS,
  FIRST_RETRY_DELAY_MS,
  QUIET_CHECK_MS,
  Reconnection,
  RENEW_DEADLINE_MS,
  RENEW_LEAD_MS,
  type ReconnectionSettings,
} from '../../src/session/reconnection.ts';
import { MAX_QUEUED_EVENTS, SendQueue } from '../../src/session/send-queue.ts';
import { heardPart, TranscriptTracker } from '../../src/session/transcripts.ts';
import { WARM_MS, WarmToken } from '../../src/session/warm-token.ts';
import { activityAfter, errorText, stateAnnouncement, statusText, type StatusView } from '../../src/ui/status-words.ts';

/** Another language: its own words for what it translates, no sentence for most error codes. */
const fr: CoreWords = {
  ...en,
  error: 'Erreur',
  failed: 'Échec ({code}).',
  dailyLimit: 'Limite du jour atteinte.',
  errors: { 'microphone-denied': 'Micro refusé.' },
};

const failure = (code: RealtimeErrorCode, serverCode?: string): RealtimeErrorDetail => ({
  code,
  message: `the ${code} message`,
  fatal: true,
  ...(serverCode === undefined ? {} : { serverCode }),
});

describe('status words (src/ui/status-words.ts)', () => {
  const view = (over: Partial<StatusView> = {}): StatusView => ({
    state: 'connected',
    activity: 'listening',
    audioBlocked: false,
    muted: false,
    talking: false,
    pushToTalk: false,
    insecure: false,
    english: true,
    ...over,
  });

  test('statusText: a word for every state', () => {
    assert.equal(statusText(en, view({ state: 'idle' })), en.idle);
    assert.equal(statusText(en, view({ state: 'connecting' })), en.connecting);
    assert.equal(statusText(en, view({ state: 'closing' })), en.closing);
    assert.equal(statusText(en, view({ state: 'closed' })), en.closed);
    assert.equal(statusText(en, view({ state: 'connected' })), en.listening);
  });

  test('statusText: idle on a plain-HTTP page says the page is not secure', () => {
    assert.equal(statusText(en, view({ state: 'idle', insecure: true })), en.insecure);
  });

  test('statusText: reconnecting for a renewal vs a lost network', () => {
    assert.equal(statusText(en, view({ state: 'reconnecting', reason: 'renewal' })), en.renewing);
    assert.equal(statusText(en, view({ state: 'reconnecting', reason: 'network' })), en.reconnecting);
    assert.equal(statusText(en, view({ state: 'reconnecting' })), en.reconnecting);
  });

  test('statusText: connected, in order of what matters most', () => {
    const all = { audioBlocked: true, muted: true, talking: true, activity: 'assistant-speaking' } as const;
    assert.equal(statusText(en, view(all)), en.soundBlocked);
    assert.equal(statusText(en, view({ ...all, audioBlocked: false })), en.muted);
    assert.equal(statusText(en, view({ ...all, audioBlocked: false, muted: false })), en.talking);
    assert.equal(statusText(en, view({ activity: 'assistant-speaking' })), en.assistantSpeaking);
    assert.equal(statusText(en, view({ activity: 'user-speaking' })), en.userSpeaking);
    assert.equal(statusText(en, view({ pushToTalk: true })), en.pushToTalkReady);
    assert.equal(statusText(en, view({ pushToTalk: false })), en.listening);
  });

  test('statusText: error with and without its detail', () => {
    assert.equal(statusText(en, view({ state: 'error' })), en.error);
    assert.equal(statusText(fr, view({ state: 'error', english: false })), 'Erreur');
    assert.equal(statusText(en, view({ state: 'error', error: failure('ice-failed') })), 'the ice-failed message');
    assert.equal(
      statusText(fr, view({ state: 'error', error: failure('ice-failed'), english: false })),
      'Échec (ice-failed).',
    );
  });

  test('errorText: a per-day quota or the spend cap says the daily limit', () => {
    for (const serverCode of ['quota_minutes_per_day', 'quota_calls_per_day', 'spend_cap_reached']) {
      assert.equal(errorText(en, failure('quota-exceeded', serverCode), true), en.dailyLimit, serverCode);
      assert.equal(errorText(fr, failure('quota-exceeded', serverCode), false), fr.dailyLimit, serverCode);
    }
    // Another quota (or none named) is the plain quota sentence.
    assert.equal(errorText(en, failure('quota-exceeded', 'quota_calls_per_minute'), true), en.errors['quota-exceeded']);
    assert.equal(errorText(en, failure('quota-exceeded'), true), en.errors['quota-exceeded']);
    // The daily words are for quota-exceeded only.
    assert.equal(errorText(en, failure('rate-limited', 'quota_minutes_per_day'), true), 'the rate-limited message');
  });

  test("errorText: the language's sentence when it has one, English's own message, else `failed` with the code", () => {
    assert.equal(errorText(en, failure('sign-in-required'), true), en.errors['sign-in-required']);
    assert.equal(errorText(fr, failure('microphone-denied'), false), 'Micro refusé.');
    assert.equal(errorText(en, failure('connection-lost'), true), 'the connection-lost message');
    assert.equal(errorText(fr, failure('connection-lost'), false), 'Échec (connection-lost).');
  });

  test('stateAnnouncement: what the live region says', () => {
    const plain = { pushToTalk: false, audioBlocked: false, noEchoCancellation: false };
    const say = (next: RealtimeState, previous: RealtimeState, over: Partial<typeof plain & StatusView> = {}) =>
      stateAnnouncement(en, next, previous, { ...plain, ...over });
    assert.equal(say('connecting', 'idle'), en.connecting);
    assert.equal(say('connected', 'connecting'), en.listening);
    assert.equal(say('connected', 'connecting', { pushToTalk: true }), en.pushToTalkReady);
    assert.equal(say('connected', 'reconnecting'), en.restarted);
    assert.equal(say('connected', 'reconnecting', { pushToTalk: true }), en.restarted);
    assert.equal(say('reconnecting', 'connected', { reason: 'network' }), en.reconnecting);
    assert.equal(say('reconnecting', 'connected', { reason: 'renewal' }), en.renewing);
    assert.equal(say('closed', 'closing'), en.closed);
  });

  test('stateAnnouncement: blocked audio wins; no echo cancellation adds the headphones hint', () => {
    const over = { pushToTalk: false, audioBlocked: true, noEchoCancellation: true };
    assert.equal(stateAnnouncement(en, 'connected', 'connecting', over), en.soundBlocked);
    const noEcho = { ...over, audioBlocked: false };
    assert.equal(stateAnnouncement(en, 'connected', 'connecting', noEcho), `${en.listening} ${en.useHeadphones}`);
    assert.equal(stateAnnouncement(en, 'connected', 'reconnecting', noEcho), `${en.restarted} ${en.useHeadphones}`);
    // Only when connected.
    assert.equal(stateAnnouncement(en, 'connecting', 'idle', noEcho), en.connecting);
  });

  test('stateAnnouncement: nothing for the states without words', () => {
    const plain = { pushToTalk: false, audioBlocked: false, noEchoCancellation: false };
    for (const next of ['idle', 'closing', 'error'] as const)
      assert.equal(stateAnnouncement(en, next, 'connected', plain), undefined, next);
  });

  test('activityAfter: who is talking after each event', () => {
    for (const before of ['listening', 'user-speaking', 'thinking', 'assistant-speaking'] as const) {
      assert.equal(activityAfter('input_audio_buffer.speech_started', before), 'user-speaking');
      assert.equal(activityAfter('output_audio_buffer.started', before), 'assistant-speaking');
      assert.equal(activityAfter('response.output_audio_transcript.delta', before), before);
    }
    // The end of the user's turn, by voice detection or push-to-talk's commit: thinking until the answer is heard.
    for (const end of ['input_audio_buffer.speech_stopped', 'input_audio_buffer.committed']) {
      assert.equal(activityAfter(end, 'user-speaking'), 'thinking', end);
      assert.equal(activityAfter(end, 'listening'), 'thinking', end);
      assert.equal(activityAfter(end, 'assistant-speaking'), 'assistant-speaking', end);
    }
    // A typed message's response: thinking; a response while the assistant talks changes nothing.
    assert.equal(activityAfter('response.created', 'listening'), 'thinking');
    assert.equal(activityAfter('response.created', 'assistant-speaking'), 'assistant-speaking');
    assert.equal(activityAfter('response.created', 'user-speaking'), 'user-speaking');
    // A response done before any sound (text only, cancelled, a tool call) ends the thinking; one being heard goes on.
    assert.equal(activityAfter('response.done', 'thinking'), 'listening');
    assert.equal(activityAfter('response.done', 'assistant-speaking'), 'assistant-speaking');
    assert.equal(activityAfter('response.done', 'user-speaking'), 'user-speaking');
    for (const end of ['output_audio_buffer.stopped', 'output_audio_buffer.cleared']) {
      assert.equal(activityAfter(end, 'assistant-speaking'), 'listening', end);
      assert.equal(activityAfter(end, 'thinking'), 'listening', end);
      // Barge-in: the assistant's audio is cleared while the user still talks.
      assert.equal(activityAfter(end, 'user-speaking'), 'user-speaking', end);
    }
  });

  test('statusText: thinking between the turn and the answer', () => {
    const view: StatusView = {
      state: 'connected',
      activity: 'thinking',
      audioBlocked: false,
      muted: false,
      talking: false,
      pushToTalk: false,
      insecure: false,
      english: true,
    };
    assert.equal(statusText(en, view), en.thinking);
    assert.equal(statusText(en, { ...view, muted: true }), en.muted);
  });
});

describe('reconnection policy (src/session/reconnection.ts)', () => {
  const RECONNECTABLE: RealtimeErrorCode[] = [
    'connection-lost',
    'ice-failed',
    'session-expired',
    'token-unreachable',
    'token-timeout',
    'signaling-unreachable',
    'signaling-timeout',
    'service-unavailable',
  ];
  const REFUSALS: RealtimeErrorCode[] = [
    'data-channel-closed',
    'unauthorized',
    'sign-in-required',
    'quota-exceeded',
    'rate-limited',
    'sdp-rejected',
    'microphone-denied',
    'service-error',
  ];

  /** The browser's globals the backoff reads: navigator.onLine and window's 'online' event. */
  const browser = { onLine: true, events: new EventTarget() };
  const navigatorBefore = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  beforeEach(() => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
    browser.onLine = true;
    browser.events = new EventTarget();
    Object.defineProperty(globalThis, 'navigator', { value: browser, configurable: true, writable: true });
    Object.assign(globalThis, {
      addEventListener: (...args: Parameters<EventTarget['addEventListener']>) =>
        browser.events.addEventListener(...args),
      removeEventListener: (...args: Parameters<EventTarget['removeEventListener']>) =>
        browser.events.removeEventListener(...args),
    });
  });
  afterEach(() => {
    mock.timers.reset();
    if (navigatorBefore) Object.defineProperty(globalThis, 'navigator', navigatorBefore);
    else Reflect.deleteProperty(globalThis, 'navigator');
    Reflect.deleteProperty(globalThis, 'addEventListener');
    Reflect.deleteProperty(globalThis, 'removeEventListener');
  });

  const policy = (settings: ReconnectionSettings = {}) => new Reconnection(() => settings);

  test('the named delays are the documented ones', () => {
    assert.equal(FIRST_RETRY_DELAY_MS, 1_000);
    assert.equal(DEFAULT_RECONNECT_ATTEMPTS, 3);
    assert.equal(RENEW_LEAD_MS, 60_000);
    assert.equal(QUIET_CHECK_MS, 1_000);
    assert.equal(RENEW_DEADLINE_MS, 5_000);
  });

  /**
   * Moves the mocked clock on by `ms`, a second at a time: Node 20's mock sets Date to the end of a tick
   * before it runs the timers due in it, so each timer must fall on a step for Date.now() to be its time.
   */
  const advance = (ms: number) => {
    for (let left = ms; left > 0; left -= 1000) mock.timers.tick(Math.min(1000, left));
  };

  test('shouldReconnect: the reconnectable codes, only when the call was live', () => {
    const r = policy();
    for (const code of RECONNECTABLE) {
      assert.equal(r.shouldReconnect(code, true), true, code);
      assert.equal(r.shouldReconnect(code, false), false, `${code}, not live`);
    }
    for (const code of REFUSALS) assert.equal(r.shouldReconnect(code, true), false, code);
  });

  test('canRetry: as many tries as reconnect-attempts (3 by default, 0 turns it off); reset() counts from zero', () => {
    const r = policy();
    for (let i = 0; i < DEFAULT_RECONNECT_ATTEMPTS; i++) {
      assert.equal(r.canRetry(), true, `try ${i + 1}`);
      r.later(() => {});
      r.cancel();
    }
    assert.equal(r.canRetry(), false);
    assert.equal(r.shouldReconnect('connection-lost', true), false);
    r.reset();
    assert.equal(r.canRetry(), true);
    assert.equal(r.shouldReconnect('connection-lost', true), true);

    const none = policy({ reconnectAttempts: 0 });
    assert.equal(none.canRetry(), false);
    assert.equal(none.shouldReconnect('connection-lost', true), false);

    const one = policy({ reconnectAttempts: 1 });
    assert.equal(one.canRetry(), true);
    one.later(() => {});
    assert.equal(one.canRetry(), false);
  });

  test('later: the first wait is 1 s, doubled for each further try', () => {
    const r = policy();
    let retries = 0;
    for (const delay of [FIRST_RETRY_DELAY_MS, 2 * FIRST_RETRY_DELAY_MS, 4 * FIRST_RETRY_DELAY_MS]) {
      r.later(() => retries++);
      assert.equal(r.waiting, true);
      mock.timers.tick(delay - 1);
      assert.equal(retries, 0, `before ${delay} ms`);
      mock.timers.tick(1);
      assert.equal(retries, 1, `at ${delay} ms`);
      assert.equal(r.waiting, false);
      retries = 0;
    }
  });

  test('later: reconnectDelayMs sets the first wait; reset() brings it back', () => {
    const r = policy({ reconnectDelayMs: 100 });
    const at: number[] = [];
    const t0 = Date.now();
    r.later(() => at.push(Date.now() - t0));
    mock.timers.tick(100);
    r.later(() => at.push(Date.now() - t0));
    mock.timers.tick(200);
    r.reset();
    r.later(() => at.push(Date.now() - t0));
    mock.timers.tick(100);
    assert.deepEqual(at, [100, 300, 400]);
  });

  test("later: offline, the retry waits for the browser's 'online' event, once", () => {
    const r = policy({ reconnectDelayMs: 100 });
    let retries = 0;
    browser.onLine = false;
    r.later(() => retries++);
    mock.timers.tick(10_000);
    assert.equal(retries, 0);
    assert.equal(r.waiting, true);
    browser.onLine = true;
    browser.events.dispatchEvent(new Event('online'));
    assert.equal(retries, 1);
    assert.equal(r.waiting, false);
    browser.events.dispatchEvent(new Event('online'));
    assert.equal(retries, 1);
  });

  test('cancel: stops a pending retry, and one waiting for the network', () => {
    const r = policy();
    let retries = 0;
    r.later(() => retries++);
    r.cancel();
    assert.equal(r.waiting, false);
    mock.timers.tick(60_000);
    assert.equal(retries, 0);

    browser.onLine = false;
    r.later(() => retries++);
    mock.timers.tick(60_000);
    r.cancel();
    browser.events.dispatchEvent(new Event('online'));
    assert.equal(retries, 0);
  });

  /** A call's timers as the session gives them: here the mocked setTimeout, each delay noted. */
  const callTimers = () => {
    const delays: number[] = [];
    return { delays, setTimer: (callback: () => void, ms: number) => (delays.push(ms), setTimeout(callback, ms)) };
  };

  test('scheduleRenewal: renews at expires_at − 60 s when the call is quiet', () => {
    const call = callTimers();
    let renewed = 0;
    const expiresAt = (Date.now() + 10 * 60_000) / 1000;
    policy().scheduleRenewal(
      call,
      expiresAt,
      () => false,
      () => renewed++,
    );
    assert.deepEqual(call.delays, [10 * 60_000 - RENEW_LEAD_MS]);
    advance(10 * 60_000 - RENEW_LEAD_MS - 1);
    assert.equal(renewed, 0);
    mock.timers.tick(1);
    assert.equal(renewed, 1);
    advance(10 * 60_000);
    assert.equal(renewed, 1);
  });

  test('scheduleRenewal: while someone speaks it looks again every second, and renews once quiet', () => {
    const call = callTimers();
    let renewed = 0;
    let busy = true;
    policy().scheduleRenewal(
      call,
      (Date.now() + RENEW_LEAD_MS + 1000) / 1000,
      () => busy,
      () => renewed++,
    );
    advance(1000 + 3 * QUIET_CHECK_MS);
    assert.equal(renewed, 0);
    assert.deepEqual(call.delays, [1000, QUIET_CHECK_MS, QUIET_CHECK_MS, QUIET_CHECK_MS, QUIET_CHECK_MS]);
    busy = false;
    mock.timers.tick(QUIET_CHECK_MS - 1);
    assert.equal(renewed, 0);
    mock.timers.tick(1);
    assert.equal(renewed, 1);
  });

  test('scheduleRenewal: busy to the end, it renews anyway 5 s before the cap', () => {
    const call = callTimers();
    let renewed = 0;
    const capAt = Date.now() + 2 * RENEW_LEAD_MS;
    policy().scheduleRenewal(
      call,
      capAt / 1000,
      () => true,
      () => renewed++,
    );
    advance(capAt - RENEW_DEADLINE_MS - 1 - Date.now());
    assert.equal(renewed, 0);
    mock.timers.tick(1);
    assert.equal(renewed, 1);
    assert.equal(Date.now(), capAt - RENEW_DEADLINE_MS);
  });

  test('scheduleRenewal: at once when less than a minute is left', () => {
    const call = callTimers();
    let renewed = 0;
    policy().scheduleRenewal(
      call,
      (Date.now() + 30_000) / 1000,
      () => false,
      () => renewed++,
    );
    assert.deepEqual(call.delays, [0]);
    mock.timers.tick(0);
    assert.equal(renewed, 1);
  });

  test('scheduleRenewal: nothing without a numeric expires_at, or when no try is left', () => {
    const later = (Date.now() + 10 * 60_000) / 1000;
    for (const expiresAt of [undefined, null, String(later), {}]) {
      const call = callTimers();
      policy().scheduleRenewal(
        call,
        expiresAt,
        () => false,
        () => assert.fail('renewed'),
      );
      assert.deepEqual(call.delays, [], String(expiresAt));
    }
    const call = callTimers();
    policy({ reconnectAttempts: 0 }).scheduleRenewal(
      call,
      later,
      () => false,
      () => assert.fail('renewed'),
    );
    assert.deepEqual(call.delays, []);
    advance(20 * 60_000);
  });
});

describe('token fetched ahead (src/session/warm-token.ts)', () => {
  beforeEach(() => mock.timers.enable({ apis: ['Date'], now: 5_000_000 }));
  afterEach(() => mock.timers.reset());

  /** A fetch that counts its calls and answers `token-<n>`. */
  const counting = () => {
    const fetcher = { calls: 0, fetch: () => Promise.resolve(`token-${++fetcher.calls}`) };
    return fetcher;
  };

  test('one fetch per settings and sign-in within 20 s; take() once', async () => {
    assert.equal(WARM_MS, 20_000);
    const warm = new WarmToken<string>();
    const f = counting();
    warm.warm('key', 'Bearer a', f.fetch);
    warm.warm('key', 'Bearer a', f.fetch);
    mock.timers.tick(WARM_MS - 1);
    warm.warm('key', 'Bearer a', f.fetch);
    assert.equal(f.calls, 1);
    assert.equal(await warm.take('key', 'Bearer a'), 'token-1');
    assert.equal(warm.take('key', 'Bearer a'), undefined);
  });

  test('other settings or another sign-in fetch again, and only the newest fits', async () => {
    const warm = new WarmToken<string>();
    const f = counting();
    warm.warm('key', 'Bearer a', f.fetch);
    warm.warm('other key', 'Bearer a', f.fetch);
    assert.equal(f.calls, 2);
    warm.warm('other key', 'Bearer b', f.fetch);
    assert.equal(f.calls, 3);
    assert.equal(await warm.take('other key', 'Bearer b'), 'token-3');

    warm.warm('key', 'Bearer a', f.fetch);
    assert.equal(warm.take('key', 'Bearer b'), undefined);
    warm.warm('key', 'Bearer a', f.fetch);
    assert.equal(warm.take('other key', 'Bearer a'), undefined);
  });

  test('a fetch still under way is taken (its answer is the click’s)', async () => {
    const warm = new WarmToken<string>();
    let answer!: (token: string) => void;
    const pending = new Promise<string>((done) => (answer = done));
    warm.warm('key', undefined, () => pending);
    const taken = warm.take('key', undefined);
    assert.equal(taken, pending);
    answer('late token');
    assert.equal(await taken, 'late token');
  });

  test('a failed fetch is not taken', async () => {
    const warm = new WarmToken<string>();
    warm.warm('key', undefined, () => Promise.reject(new Error('token service down')));
    await new Promise((done) => setImmediate(done));
    assert.equal(warm.take('key', undefined), undefined);
  });

  test('after 20 s it is not taken, and warm() fetches again', async () => {
    const warm = new WarmToken<string>();
    const f = counting();
    warm.warm('key', undefined, f.fetch);
    mock.timers.tick(WARM_MS);
    assert.equal(warm.take('key', undefined), undefined);
    warm.warm('key', undefined, f.fetch);
    mock.timers.tick(WARM_MS);
    warm.warm('key', undefined, f.fetch);
    assert.equal(f.calls, 3);
    assert.equal(await warm.take('key', undefined), 'token-3');
  });
});

describe('send queue (src/session/send-queue.ts)', () => {
  const event = (n: number) =>
    ({ type: 'conversation.item.create', event_id: `e${n}` }) as unknown as RealtimeClientEvent;
  const channel = () => {
    const sent: string[] = [];
    return { sent, dc: { send: (data: string) => void sent.push(data) } as unknown as RTCDataChannel };
  };

  test(`while connecting it holds at most ${MAX_QUEUED_EVENTS} events`, () => {
    assert.equal(MAX_QUEUED_EVENTS, 100);
    const queue = new SendQueue();
    for (let i = 0; i < MAX_QUEUED_EVENTS; i++) assert.equal(queue.push(event(i), false), true, `event ${i}`);
    assert.equal(queue.push(event(MAX_QUEUED_EVENTS), false), false);
    const { sent, dc } = channel();
    queue.release(dc);
    assert.equal(sent.length, MAX_QUEUED_EVENTS);
  });

  test('on an open channel, held until the service speaks, it takes any number', () => {
    const queue = new SendQueue();
    for (let i = 0; i < MAX_QUEUED_EVENTS; i++) queue.push(event(i), false);
    for (let i = MAX_QUEUED_EVENTS; i < 3 * MAX_QUEUED_EVENTS; i++)
      assert.equal(queue.push(event(i), true), true, `event ${i}`);
    const { sent, dc } = channel();
    queue.release(dc);
    assert.equal(sent.length, 3 * MAX_QUEUED_EVENTS);
  });

  test('release sends in order, once; then it is no longer held', () => {
    const queue = new SendQueue();
    assert.equal(queue.held, true);
    for (let i = 0; i < 3; i++) queue.push(event(i), false);
    const { sent, dc } = channel();
    queue.release(dc);
    assert.deepEqual(
      sent,
      [0, 1, 2].map((i) => JSON.stringify(event(i))),
    );
    assert.equal(queue.held, false);
    queue.release(dc);
    assert.equal(sent.length, 3, 'each event is sent once');
  });

  test('the service spoke before the call is connected: what is sent meanwhile waits for the next release', () => {
    const queue = new SendQueue();
    const { sent, dc } = channel();
    const open = { readyState: 'open', send: dc.send } as unknown as RTCDataChannel;
    queue.release(open); // session.created came while the call part was still loading
    assert.equal(queue.send(event(0), open, 'connecting'), undefined, 'queued, not refused');
    assert.deepEqual(sent, [], 'not yet: the call is not connected');
    queue.release(open); // connected
    assert.deepEqual(sent, [JSON.stringify(event(0))]);
    assert.equal(queue.send(event(1), open, 'connected'), undefined);
    assert.equal(sent.length, 2, 'connected: straight out');
  });

  test('reset empties it and holds again', () => {
    const queue = new SendQueue();
    queue.push(event(0), false);
    queue.release(channel().dc);
    queue.push(event(1), true);
    queue.reset();
    assert.equal(queue.held, true);
    const { sent, dc } = channel();
    queue.release(dc);
    assert.deepEqual(sent, []);
  });
});

describe('transcripts (src/session/transcripts.ts)', () => {
  const ev = (event: Record<string, unknown>) => event as unknown as RealtimeServerEvent;

  test('heardPart: what 15 characters a second reach, cut at a word, with an ellipsis', () => {
    const text = 'Hello there my friend';
    assert.equal(heardPart(text, 1000), 'Hello there my…');
    assert.equal(heardPart(text, 600), 'Hello…');
    assert.equal(heardPart(text, 60_000), 'Hello there my friend…');
    assert.equal(heardPart(text, 0), '…');
    // No space to cut at: the characters reached.
    assert.equal(heardPart('abcdefghijklmnopqrstuvwxyz', 1000), 'abcdefghijklmno…');
  });

  test("assistant and user pieces grow each item's text; the final text gives the rest as its delta", () => {
    const t = new TranscriptTracker();
    const delta = (type: string, item: string, piece: string) => t.handle(ev({ type, item_id: item, delta: piece }));
    assert.deepEqual(delta('response.output_audio_transcript.delta', 'a1', 'Hel'), {
      role: 'assistant',
      itemId: 'a1',
      text: 'Hel',
      delta: 'Hel',
      final: false,
    });
    assert.equal(delta('response.output_audio_transcript.delta', 'a1', 'lo')?.text, 'Hello');
    assert.deepEqual(delta('conversation.item.input_audio_transcription.delta', 'u1', 'Hi'), {
      role: 'user',
      itemId: 'u1',
      text: 'Hi',
      delta: 'Hi',
      final: false,
    });
    assert.deepEqual(
      t.handle(ev({ type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: 'Hello!' })),
      {
        role: 'assistant',
        itemId: 'a1',
        text: 'Hello!',
        delta: '!',
        final: true,
      },
    );
    // A final text that does not continue the pieces is all delta; without one, the pieces are the text.
    const done = t.handle(
      ev({ type: 'conversation.item.input_audio_transcription.completed', item_id: 'u1', transcript: 'Hey' }),
    );
    assert.deepEqual(done, { role: 'user', itemId: 'u1', text: 'Hey', delta: 'Hey', final: true });
    delta('response.output_text.delta', 't1', 'Text');
    assert.deepEqual(t.handle(ev({ type: 'response.output_text.done', item_id: 't1' })), {
      role: 'assistant',
      itemId: 't1',
      text: 'Text',
      delta: '',
      final: true,
    });
    assert.equal(t.handle(ev({ type: 'response.done' })), undefined);
  });

  test('a truncated answer ends with what was heard, and later pieces of it are dropped', () => {
    const t = new TranscriptTracker();
    t.handle(ev({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: 'Hello there my friend' }));
    assert.deepEqual(t.handle(ev({ type: 'conversation.item.truncated', item_id: 'a1', audio_end_ms: 1000 })), {
      role: 'assistant',
      itemId: 'a1',
      text: 'Hello there my…',
      delta: '',
      final: true,
      truncated: true,
    });
    assert.equal(
      t.handle(ev({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: ' again' })),
      undefined,
    );
    assert.equal(t.handle(ev({ type: 'conversation.item.truncated', item_id: 'a1', audio_end_ms: 2000 })), undefined);
  });

  test('a barge-in (output cleared) cuts the item playing, by how long its voice played', () => {
    let now = 0;
    const clock = mock.method(performance, 'now', () => now);
    try {
      const t = new TranscriptTracker();
      t.handle(ev({ type: 'output_audio_buffer.started' }));
      t.handle(ev({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: 'Hello' }));
      // The text is done long before the voice.
      t.handle(
        ev({ type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: 'Hello there my friend' }),
      );
      now = 1000;
      const cut = t.handle(ev({ type: 'output_audio_buffer.cleared' }));
      assert.deepEqual(cut, {
        role: 'assistant',
        itemId: 'a1',
        text: 'Hello there my…',
        delta: '',
        final: true,
        truncated: true,
      });
      assert.equal(t.handle(ev({ type: 'output_audio_buffer.cleared' })), undefined);
    } finally {
      clock.mock.restore();
    }
  });

  test('an output cleared after the voice stopped cuts nothing', () => {
    const t = new TranscriptTracker();
    t.handle(ev({ type: 'output_audio_buffer.started' }));
    t.handle(ev({ type: 'response.output_audio_transcript.delta', item_id: 'a1', delta: 'Hello' }));
    t.handle(ev({ type: 'response.output_audio_transcript.done', item_id: 'a1', transcript: 'Hello there' }));
    t.handle(ev({ type: 'output_audio_buffer.stopped' }));
    assert.equal(t.handle(ev({ type: 'output_audio_buffer.cleared' })), undefined);
  });

  test('a typed user message is final when it enters the conversation; other items are not transcripts', () => {
    const t = new TranscriptTracker();
    const added = (item: Record<string, unknown>) => t.handle(ev({ type: 'conversation.item.added', item }));
    const content = [
      { type: 'input_text', text: 'Hi ' },
      { type: 'input_audio', text: 'ignored', transcript: 'ignored' },
      { type: 'input_text', text: 'there' },
    ];
    assert.deepEqual(added({ id: 'u2', type: 'message', role: 'user', content }), {
      role: 'user',
      itemId: 'u2',
      text: 'Hi there',
      delta: 'Hi there',
      final: true,
    });
    assert.equal(added({ id: 'u3', type: 'message', role: 'user', content: [{ type: 'input_audio' }] }), undefined);
    assert.equal(added({ id: 'a2', type: 'message', role: 'assistant', content }), undefined);
    assert.equal(added({ id: 'f1', type: 'function_call', name: 'x', arguments: '{}' }), undefined);
  });
});

describe('levels: one measure for the page and the audio thread', () => {
  const sumOfSquares = (samples: number[]) => samples.reduce((sum, x) => sum + x * x, 0);
  test('silence is 0; a sine of amplitude 0.1 (RMS 0.0707) scaled ×4; a loud one is capped at 1', () => {
    assert.equal(levelOf(0, 128), 0);
    const sine = (amplitude: number) => [...Array(480).keys()].map((i) => amplitude * Math.sin((2 * Math.PI * i) / 48));
    assert.ok(Math.abs(levelOf(sumOfSquares(sine(0.1)), 480) - 0.283) < 0.001);
    assert.equal(levelOf(sumOfSquares(sine(0.9)), 480), 1);
  });
  test('steps of 1/50: nearby levels are one number (nothing changed), a step apart two', () => {
    assert.equal(inSteps(0.281), inSteps(0.289));
    assert.equal(inSteps(0.283), 0.28);
    assert.notEqual(inSteps(0.28), inSteps(0.3));
    assert.equal(inSteps(1), 1);
  });
});
