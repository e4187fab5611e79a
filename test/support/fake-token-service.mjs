// A real HTTP token service for the browser tests, mounted in the test
// runner's dev server. Query parameters choose its behaviour, so each test
// gets a real status code, content type, delay or hang:
//   /fake-token?status=401&body=json|legacy|token|html|malformed|no-value&delay=ms&hang=1&stall=1&calls=URL&id=KEY&getonly=1&locked=FIELDS
// (getonly: a GET-only route, as a framework answers one written `app.get('/token')`: 405 to anything else)
// (hang: no answer at all; stall: a 200 and the start of a body that never ends)
// /fake-token/requests?id=KEY returns the JSON bodies it received under KEY.
const received = new Map();
let issued = 0;
const HANG_CAP_MS = 30_000;

export function fakeTokenService() {
  return async function fakeTokenMiddleware(ctx, next) {
    if (!ctx.path.startsWith('/fake-token')) return next();
    const q = ctx.query;
    const id = String(q.id ?? 'default');
    if (ctx.path === '/fake-token/requests') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify(received.get(id) ?? []);
      return;
    }
    const body = await readBody(ctx.req);
    if (!received.has(id)) received.set(id, []);
    received.get(id).push({ method: ctx.method, contentType: ctx.get('content-type'), body: safeParse(body) });

    if (q.hang) {
      // Bounded: answers after 30 s at the latest, or ends when the browser gives up.
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, HANG_CAP_MS);
        ctx.req.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      ctx.status = 504;
      ctx.body = '';
      return;
    }
    if (q.stall) {
      // Raw, past Koa's middlewares (compression would hold the first bytes back): the headers
      // and a first chunk go out now, the rest never comes (30 s at most).
      ctx.respond = false;
      ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      ctx.res.write('{"value": "ek_');
      const timer = setTimeout(() => ctx.res.end('stalled"}'), HANG_CAP_MS);
      ctx.req.on('close', () => clearTimeout(timer));
      return;
    }
    if (q.delay) await new Promise((r) => setTimeout(r, Number(q.delay)));
    if (q.getonly && ctx.method !== 'GET') {
      ctx.status = 405;
      ctx.set('Allow', 'GET');
      ctx.type = 'text/html';
      ctx.body = '<!doctype html><title>405 Method Not Allowed</title><h1>Method Not Allowed</h1>';
      return;
    }

    const status = Number(q.status ?? 200);
    const kind = String(q.body ?? 'json');
    const calls = q.calls === undefined ? 'https://realtime.fake/v1/realtime/calls' : String(q.calls);
    ctx.status = status;
    ctx.set('Cache-Control', 'no-store');
    if (q.locked) ctx.set('X-Realtime-Locked', String(q.locked));
    if (status >= 400 && kind === 'json') {
      ctx.type = 'application/json';
      ctx.body = JSON.stringify({ error: { code: `fake_${status}`, message: `Fake token service says ${status}` } });
      return;
    }
    const value = `ek_fake_${++issued}`;
    const expires_at = Math.floor(Date.now() / 1000) + 600;
    switch (kind) {
      case 'html':
        ctx.type = 'text/html';
        ctx.body = '<!doctype html><html><body><h1>Sign in</h1></body></html>';
        return;
      case 'malformed':
        ctx.type = 'application/json';
        ctx.body = '{"value": "ek_';
        return;
      case 'no-value':
        ctx.type = 'application/json';
        ctx.body = JSON.stringify({ expires_at });
        return;
      case 'token':
        // Microsoft's sample token service: {"token": "…"} and nothing else.
        ctx.type = 'application/json';
        ctx.body = JSON.stringify({ token: value });
        return;
      case 'legacy':
        ctx.type = 'application/json';
        ctx.body = JSON.stringify({ id: 'sess_fake', client_secret: { value, expires_at } });
        return;
      default:
        ctx.type = 'application/json';
        ctx.body = JSON.stringify(calls ? { value, expires_at, calls_url: calls } : { value, expires_at });
    }
  };
}

function readBody(req) {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (chunk) => (data += chunk));
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}

function safeParse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Built part files that arrive late: `/late-parts/<ms>/realtime-voice.<part>.js` waits `ms` (at most
 * 10 s), then redirects to `/dist/` (a page's `parts-url="/late-parts/1500/"`). For what a call does in
 * its first moments, before its parts are in.
 */
export function lateParts() {
  return async function latePartsMiddleware(ctx, next) {
    const match = /^\/late-parts\/(\d+)\/(realtime-voice\.[\w-]+\.js)$/.exec(ctx.path);
    if (!match) return next();
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number(match[1]), 10_000)));
    ctx.redirect(`/dist/${match[2]}`);
  };
}
