/**
 * Quotas per user, the site's spend cap and call length (issue 19), on /token and /connect.
 *
 * The user is `res.locals.userId` (set by the sign-in middleware in front), else the client's
 * address (IPv6 by its /56): keys say `user:` or `ip:`, so an id cannot pass for an address. What counts:
 *
 * - calls per hour: each token minted at /token and each call opened at /connect; a request
 *   that is refused or fails does not count (it is given back when its answer is not a 2xx);
 * - concurrent calls, minutes per day and the spend cap: calls made through /connect only,
 *   from their real start (the answer) to their real end (the service closes the watch socket,
 *   call-watch.ts). In token mode the browser talks to the service directly and the server
 *   never sees the call: a token is one call per hour, and nothing more.
 *
 * Windows are clock windows (the UTC hour, the UTC day), the same on every instance, so
 * Retry-After is the time until the window turns over.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import type { Logger } from 'pino';
import { HttpError } from '../errors.js';
import type { RealtimeProvider } from '../providers/provider.js';
import { watchCall, type CallWatch } from './call-watch.js';
import { watchesCalls, type QuotaConfig } from './quota-config.js';
import type { QuotaStore } from './quota-store.js';

/** The service ends a session after 60 minutes; a slot held longer than this was leaked (an instance died). */
const SERVICE_CALL_CAP_MS = 60 * 60_000;
const SLOT_MARGIN_MS = 5 * 60_000;
/** Counters outlive their window a little, so that a clock a few seconds off still finds them. */
const COUNTER_MARGIN_MS = 60_000;

export type QuotaCode =
  'quota_calls_per_hour' | 'quota_concurrent_calls' | 'quota_minutes_per_day' | 'spend_cap_reached';
export type EndReason = 'max_call_seconds' | 'idle_call_seconds' | 'quota_minutes_per_day' | 'spend_cap_reached';

export class QuotaError extends HttpError {
  constructor(
    code: QuotaCode,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, code, message);
  }
}

/** What a request was admitted with; settled exactly once (given back, or handed to its call). */
interface Admission {
  subject: string;
  slot?: string;
  hourKey?: string;
  usedMs: number;
  siteUsedMs: number;
  settled: boolean;
}

interface TrackedCall {
  callId: string;
  subject: string;
  slot?: string;
  startedAt: number;
  ended: boolean;
  timers: Array<ReturnType<typeof setTimeout>>;
  idle?: ReturnType<typeof setTimeout>;
  /** Set when the call is hung up for running out of minutes: it used all it had. */
  usedAtLeastMs?: number;
  watch?: CallWatch;
  log: Logger;
}

export class Quotas {
  readonly #calls = new Map<string, TrackedCall>();

  constructor(
    private readonly cfg: QuotaConfig,
    private readonly deps: { store: QuotaStore; provider: RealtimeProvider; log: Logger },
  ) {}

  /** Calls being watched on this instance. */
  get openCalls(): number {
    return this.#calls.size;
  }

  /**
   * The middleware, after the rate limiter and the sign-in. A 429 names the limit and carries
   * Retry-After; when the store cannot be reached the request is refused (503), not let through:
   * a limit that fails open is no limit.
   */
  admit(route: 'token' | 'connect'): RequestHandler {
    // No limit set (the default): nothing to count, and no admission for callStarted to settle.
    if (!watchesCalls(this.cfg) && !this.cfg.callsPerHour) return (_req, _res, next) => next();
    return async (req: Request, res: Response, next: NextFunction) => {
      const userId = res.locals.userId as string | undefined;
      // An address as the rate limiter counts it: IPv4-mapped as IPv4, IPv6 by its /56 (one
      // subscriber's whole range), else every address of one /64 would have a quota of its own.
      const subject = userId !== undefined ? `user:${userId}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
      let admission: Admission;
      try {
        admission = await this.#admit(route, subject);
      } catch (error) {
        if (error instanceof QuotaError) {
          res.set('Retry-After', String(error.retryAfterSeconds));
          return next(error);
        }
        (res.locals.log ?? this.deps.log).warn({ message: (error as Error).message }, 'quota store unavailable');
        res.set('Retry-After', '5');
        return next(
          new HttpError(503, 'quota_unavailable', 'Usage limits cannot be checked right now: try again shortly.'),
        );
      }
      res.locals.quota = admission;
      // 'close' comes after every answer, and when the client goes away before one.
      res.on('close', () => {
        if (admission.settled) return;
        admission.settled = true;
        const counted = res.writableFinished && res.statusCode >= 200 && res.statusCode < 300;
        if (!counted && admission.hourKey) void this.deps.store.giveBack(admission.hourKey).catch(() => {});
        if (admission.slot) void this.deps.store.release(this.#openKey(subject), admission.slot).catch(() => {});
      });
      next();
    };
  }

  /**
   * /connect got an answer with a call id: the call's slot, minutes and length limits pass from
   * the request to the call. Called before the answer is sent.
   */
  callStarted(res: Response, callId: string, log: Logger): void {
    const admission = res.locals.quota as Admission | undefined;
    if (!admission) return;
    if (admission.settled) {
      // The browser left before its answer, and its request was not counted: nobody can ever join
      // this call, so with limits on it must not run uncounted either. (No limits: as before.)
      if (watchesCalls(this.cfg) || this.cfg.callsPerHour) void this.deps.provider.hangup(callId).catch(() => {});
      return;
    }
    admission.settled = true;
    if (!watchesCalls(this.cfg)) return;
    const call: TrackedCall = {
      callId,
      subject: admission.subject,
      slot: admission.slot,
      startedAt: Date.now(),
      ended: false,
      timers: [],
      log: log.child({ callId }),
    };
    this.#calls.set(callId, call);
    this.#limitLength(call, admission);
    void watchCall(this.deps.provider, callId, {
      onActivity: () => this.#resetIdle(call),
      onClose: (failed, detail) => {
        if (!failed) return void this.#end(call, 'call ended');
        // A call the server cannot see cannot be bounded: end it rather than let it run uncounted.
        call.log.warn({ detail }, 'call cannot be watched: hanging up');
        void this.#hangup(call, 'unwatched');
      },
    }).then(
      (watch) => {
        if (call.ended) watch.close();
        else call.watch = watch;
      },
      (error: Error) => {
        call.log.warn({ message: error.message }, 'call cannot be watched: hanging up');
        void this.#hangup(call, 'unwatched');
      },
    );
  }

  /**
   * Graceful shutdown, best effort: every call this instance watches gives its slot back and
   * counts its minutes so far. The calls themselves go on (the browser talks to the service).
   */
  async shutdown(): Promise<void> {
    await Promise.all([...this.#calls.values()].map((call) => this.#end(call, 'server shutting down')));
  }

  async #admit(route: 'token' | 'connect', subject: string): Promise<Admission> {
    const { store } = this.deps;
    const q = this.cfg;
    const now = Date.now();
    const admission: Admission = { subject, usedMs: 0, siteUsedMs: 0, settled: false };
    const who = subject.startsWith('user:') ? 'This account' : 'This address';
    if (q.minutesPerDay || q.spendCapMinutesPerDay) {
      // Checked on /token as well (a spent day mints no tokens), though a token's call is not counted.
      const [used, siteUsed] = await store.read([this.#minutesKey(subject, now), this.#minutesKey('site', now)]);
      admission.usedMs = used!;
      admission.siteUsedMs = siteUsed!;
      const retry = this.#secondsLeft(now, q.units.dayMs);
      if (q.spendCapMinutesPerDay && siteUsed! >= q.spendCapMinutesPerDay * q.units.minuteMs) {
        throw new QuotaError(
          'spend_cap_reached',
          `This site has used its ${q.spendCapMinutesPerDay} minutes of conversation for today: try again tomorrow.`,
          retry,
        );
      }
      if (q.minutesPerDay && used! >= q.minutesPerDay * q.units.minuteMs) {
        throw new QuotaError(
          'quota_minutes_per_day',
          `${who} has used its ${q.minutesPerDay} minutes for today: try again tomorrow.`,
          retry,
        );
      }
    }
    if (route === 'connect' && q.concurrentCalls) {
      const slot = randomUUID();
      const lifetime = (q.maxCallSeconds ? q.maxCallSeconds * 1000 : SERVICE_CALL_CAP_MS) + SLOT_MARGIN_MS;
      const result = await store.acquire(this.#openKey(subject), slot, q.concurrentCalls, now + lifetime);
      if (!result.ok) {
        // No window here: a slot frees when a call ends. Ask again within a minute, or when the oldest must have ended.
        const retry = Math.max(1, Math.min(60, Math.ceil((result.earliestExpiryMs - SLOT_MARGIN_MS - now) / 1000)));
        const calls = q.concurrentCalls === 1 ? 'a call' : `${q.concurrentCalls} calls`;
        throw new QuotaError(
          'quota_concurrent_calls',
          `${who} already has ${calls} open, the most allowed at once: end one and try again.`,
          retry,
        );
      }
      admission.slot = slot;
    }
    if (q.callsPerHour) {
      const key = `calls:${Math.floor(now / q.units.hourMs)}:${subject}`;
      const windowLeft = (Math.floor(now / q.units.hourMs) + 1) * q.units.hourMs - now;
      if (!(await store.take(key, q.callsPerHour, windowLeft + COUNTER_MARGIN_MS))) {
        if (admission.slot) await store.release(this.#openKey(subject), admission.slot);
        const retry = this.#secondsLeft(now, q.units.hourMs);
        const when = retry >= 60 ? `${Math.ceil(retry / 60)} minutes` : `${retry} seconds`;
        throw new QuotaError(
          'quota_calls_per_hour',
          `${who} has started its ${q.callsPerHour} calls for this hour: try again in ${when}.`,
          retry,
        );
      }
      admission.hourKey = key;
    }
    return admission;
  }

  /** The call's hard end: MAX_CALL_SECONDS, or what is left of the user's or the site's minutes for today. */
  #limitLength(call: TrackedCall, admission: Admission): void {
    const q = this.cfg;
    const limits: Array<[number, EndReason]> = [];
    if (q.maxCallSeconds) limits.push([q.maxCallSeconds * 1000, 'max_call_seconds']);
    // Each call gets what was left when it started: two calls at once may together pass the day's
    // minutes by at most what was left then (QUOTA_CONCURRENT_CALLS bounds how many).
    if (q.minutesPerDay) limits.push([q.minutesPerDay * q.units.minuteMs - admission.usedMs, 'quota_minutes_per_day']);
    if (q.spendCapMinutesPerDay)
      limits.push([q.spendCapMinutesPerDay * q.units.minuteMs - admission.siteUsedMs, 'spend_cap_reached']);
    if (limits.length) {
      const [ms, reason] = limits.reduce((a, b) => (b[0] < a[0] ? b : a));
      call.timers.push(
        setTimeout(
          () => {
            // A timer may fire a millisecond before Date.now() says its delay has passed: counted
            // from the clock alone, the day would keep that millisecond and admit one more call.
            if (reason !== 'max_call_seconds') call.usedAtLeastMs = ms;
            void this.#hangup(call, reason);
          },
          Math.max(0, ms),
        ),
      );
    }
    this.#resetIdle(call);
  }

  #resetIdle(call: TrackedCall): void {
    const seconds = this.cfg.idleCallSeconds;
    if (!seconds || call.ended) return;
    clearTimeout(call.idle);
    call.idle = setTimeout(() => {
      // Someone is mid-turn (a long sentence, a long answer): that is not idle; look again later.
      if (call.watch?.busy) return this.#resetIdle(call);
      void this.#hangup(call, 'idle_call_seconds');
    }, seconds * 1000);
  }

  async #hangup(call: TrackedCall, reason: EndReason | 'unwatched'): Promise<void> {
    if (call.ended) return;
    call.log.info({ reason }, 'hanging up the call');
    try {
      await this.deps.provider.hangup(call.callId);
    } catch (error) {
      call.log.warn({ reason, message: (error as Error).message }, 'hang-up failed');
      if (reason !== 'unwatched') return; // still watched: its end will be seen and counted
    }
    await this.#end(call, reason);
  }

  /** Exactly once per call: its slot back, its minutes counted, its timers and socket gone. */
  async #end(call: TrackedCall, reason: string): Promise<void> {
    if (call.ended) return;
    call.ended = true;
    this.#calls.delete(call.callId);
    for (const timer of call.timers) clearTimeout(timer);
    clearTimeout(call.idle);
    call.watch?.close();
    const now = Date.now();
    const ms = Math.max(now - call.startedAt, call.usedAtLeastMs ?? 0);
    const q = this.cfg;
    const { store } = this.deps;
    const dayLeft = (Math.floor(now / q.units.dayMs) + 1) * q.units.dayMs - now + COUNTER_MARGIN_MS;
    const steps: Array<Promise<unknown>> = [];
    if (call.slot) steps.push(store.release(this.#openKey(call.subject), call.slot));
    if (q.minutesPerDay) steps.push(store.add(this.#minutesKey(call.subject, now), ms, dayLeft));
    if (q.spendCapMinutesPerDay) steps.push(store.add(this.#minutesKey('site', now), ms, dayLeft));
    const results = await Promise.allSettled(steps);
    const failed = results.filter((r) => r.status === 'rejected').length;
    call.log.info(
      { reason, seconds: Math.round(ms / 100) / 10, ...(failed ? { storeFailures: failed } : {}) },
      'call ended',
    );
  }

  #openKey(subject: string): string {
    return `open:${subject}`;
  }

  /** Milliseconds of conversation in today's window; `site` is every user together. */
  #minutesKey(subject: string, now: number): string {
    return `ms:${Math.floor(now / this.cfg.units.dayMs)}:${subject}`;
  }

  #secondsLeft(now: number, windowMs: number): number {
    return Math.max(1, Math.ceil(((Math.floor(now / windowMs) + 1) * windowMs - now) / 1000));
  }
}

/** The Quotas createApp made (index.ts ends its calls' accounting on shutdown). */
export function quotasOf(app: { locals: Record<string, unknown> }): Quotas | undefined {
  return app.locals.quotas instanceof Quotas ? app.locals.quotas : undefined;
}
