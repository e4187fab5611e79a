// Sign-in end to end: the element's `authorization` against the reference server in AUTH_MODE=jwt
// and ticket (real JWTs from a loopback identity provider, real tickets from a site backend), real
// calls on the emulator; and what a page sees when the sign-in is missing, expired or fails.
import { expect } from '@open-wc/testing';
import { nextEvent, part, untilState, voiceFixture } from '../support/harness.js';
import { callLog, clickStart } from './e2e-harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

/** Every request the page makes: where, its Authorization, its credentials mode. */
function recordFetches(): {
  seen: Array<{ url: string; authorization: string | null; credentials?: RequestCredentials }>;
  restore: () => void;
} {
  const original = window.fetch;
  const seen: Array<{ url: string; authorization: string | null; credentials?: RequestCredentials }> = [];
  window.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    seen.push({
      url: String(input),
      authorization: new Headers(init?.headers).get('authorization'),
      credentials: init?.credentials,
    });
    return original(input, init);
  };
  return { seen, restore: () => (window.fetch = original) };
}

const idp = (path: string) => fetch(`/api-idp/${path}`).then((r) => r.text());

async function connected(el: RealtimeVoice): Promise<void> {
  await clickStart(el);
  await untilState(el, 'connected', 15_000);
  expect((await callLog(el.session.callId!)).found, 'the emulator has the call').to.equal(true);
}

describe('sign-in (AUTH_MODE jwt and ticket, real server, real calls)', () => {
  let fetches: ReturnType<typeof recordFetches>;
  beforeEach(() => (fetches = recordFetches()));
  afterEach(() => fetches.restore());

  it('token mode with a JWT from a function: called before the token request; the service gets the ephemeral token and no page credentials', async () => {
    const el = await voiceFixture({ 'token-url': '/api-jwt/token' });
    let asked = 0;
    let jwt = '';
    el.authorization = async () => {
      asked++;
      return (jwt = await idp('token?user=alice'));
    };
    await connected(el);
    expect(asked).to.equal(1);
    const token = fetches.seen.find((f) => f.url.includes('/api-jwt/token'))!;
    expect(token.authorization).to.equal(`Bearer ${jwt}`);
    const call = fetches.seen.find((f) => f.url.includes('/v1/realtime/calls'))!;
    expect(call, 'the offer went to the service').to.not.equal(undefined);
    expect(call.authorization).to.match(/^Bearer /);
    expect(call.authorization).to.not.include(jwt);
    expect(call.credentials, 'no cookies to the service').to.equal('omit');
    el.stop();
  });

  it('connect mode with single-use tickets: each call asks the page again, so a second call works', async () => {
    const el = await voiceFixture({ 'connect-url': '/api-ticket/connect', credentials: 'include' });
    const tickets: string[] = [];
    el.authorization = async () => {
      tickets.push(await idp('ticket?user=bob'));
      return tickets.at(-1);
    };
    await connected(el);
    el.stop();
    await connected(el);
    expect(tickets).to.have.length(2);
    expect(tickets[0]).to.not.equal(tickets[1]);
    const connects = fetches.seen.filter((f) => f.url.includes('/api-ticket/connect'));
    expect(connects.map((f) => f.authorization)).to.deep.equal(tickets.map((t) => `Bearer ${t}`));
    expect(
      connects.every((f) => f.credentials === 'include'),
      'credentials="include" on the page\'s server',
    ).to.equal(true);
    el.stop();
  });

  it("no sign-in: a fatal sign-in-required with the server's code, said in words; signed in, the next click connects", async () => {
    const el = await voiceFixture({ 'token-url': '/api-jwt/token' });
    const failed = nextEvent<CustomEvent>(el, 'realtime-error');
    await clickStart(el);
    const { detail } = await failed;
    expect(detail).to.include({
      code: 'sign-in-required',
      status: 401,
      serverCode: 'missing_credentials',
      fatal: true,
    });
    expect(el.state).to.equal('error');
    expect(part(el, 'status')!.textContent).to.contain('Please sign in again');
    expect(el.session.localStream, 'microphone released').to.equal(undefined);
    el.authorization = await idp('token?user=carol');
    await connected(el);
    el.stop();
  });

  it('an expired sign-in says token_expired; a failing authorization function is sign-in-required, nothing sent', async () => {
    const el = await voiceFixture({ 'connect-url': '/api-jwt/connect' });
    el.authorization = await idp('token?user=dave&ttl=-60');
    let failed = nextEvent<CustomEvent>(el, 'realtime-error');
    await clickStart(el);
    expect((await failed).detail).to.include({ code: 'sign-in-required', serverCode: 'token_expired' });

    const before = fetches.seen.length;
    el.authorization = () => Promise.reject(new Error('session store down'));
    failed = nextEvent<CustomEvent>(el, 'realtime-error');
    await clickStart(el);
    const { detail } = await failed;
    expect(detail.code).to.equal('sign-in-required');
    expect(detail.message).to.contain('session store down');
    expect(fetches.seen.length, 'no request without the sign-in').to.equal(before);
    expect(el.state).to.equal('error');
  });

  it('a credentials value fetch does not know is a specific error, not an unreachable server', async () => {
    const el = await voiceFixture({ 'token-url': '/api-jwt/token', credentials: 'yes' });
    el.authorization = await idp('token?user=erin');
    const failed = nextEvent<CustomEvent>(el, 'realtime-error');
    await clickStart(el);
    const { detail } = await failed;
    expect(detail.code).to.equal('request-rejected');
    expect(detail.message).to.contain('credentials must be include, same-origin or omit, not "yes"');
  });

  it('a user over their quota gets quota-exceeded in words, with the server\'s code and Retry-After; a per-day limit says "tomorrow"', async () => {
    const user = `quota-${Math.random().toString(36).slice(2)}`;
    const el = await voiceFixture({ 'token-url': '/api-quota-hourly/token' });
    el.authorization = () => idp(`ticket?user=${user}`);
    await connected(el);
    el.stop();
    let failed = nextEvent<CustomEvent>(el, 'realtime-error');
    await clickStart(el);
    let { detail } = await failed;
    expect(detail).to.include({ code: 'quota-exceeded', status: 429, serverCode: 'quota_calls_per_hour', fatal: true });
    expect(detail.retryAfter).to.be.within(1, 3600);
    expect(part(el, 'status')!.textContent).to.contain('The limit for conversations is reached');

    // Connect mode: the server sees the call, and counts its minutes from its real start and end.
    const daily = await voiceFixture({ 'connect-url': '/api-quota-daily/connect' });
    daily.authorization = () => idp(`ticket?user=${user}`);
    await connected(daily);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // 7 of this test's 200 ms "minutes"
    daily.stop();
    await new Promise((resolve) => setTimeout(resolve, 2000)); // the server sees the call end (the channel's close)
    failed = nextEvent<CustomEvent>(daily, 'realtime-error');
    await clickStart(daily);
    ({ detail } = await failed);
    expect(detail).to.include({ code: 'quota-exceeded', serverCode: 'quota_minutes_per_day' });
    expect(part(daily, 'status')!.textContent).to.contain('The daily limit is reached: try again tomorrow.');
  });
});
