/**
 * Usage limits (issue 19): quotas per user, a spend cap for the whole site, and call length.
 * Read from the environment with the rest of the configuration (config.ts spreads
 * `quotaEnvSchema` into its own schema, so a bad value stops start-up naming the variable).
 * Every limit is optional: unset means no limit, which is the server's behaviour without them.
 */
import { z } from 'zod';

export interface QuotaConfig {
  /** Tokens minted (POST /token) plus calls opened (POST /connect) per user per clock hour. */
  callsPerHour?: number;
  /** Calls open at once per user (connect mode only: the server cannot see token-mode calls). */
  concurrentCalls?: number;
  /** Minutes of conversation per user per day (UTC), from the calls' real start and end. */
  minutesPerDay?: number;
  /** Minutes of conversation per day for every user together: the site's spend cap. */
  spendCapMinutesPerDay?: number;
  /** The server hangs up a call it can see after this long. */
  maxCallSeconds?: number;
  /** The server hangs up a call in which nobody spoke and nothing was answered for this long. */
  idleCallSeconds?: number;
  /**
   * The lengths of an "hour", a "day" and a "minute" in milliseconds. Not in the environment:
   * tests shrink them so that a day's quota is used up in seconds.
   */
  units: QuotaUnits;
}

export interface QuotaUnits {
  hourMs: number;
  dayMs: number;
  minuteMs: number;
}

export const REAL_UNITS: QuotaUnits = { hourMs: 3_600_000, dayMs: 86_400_000, minuteMs: 60_000 };

export const NO_QUOTAS: QuotaConfig = { units: REAL_UNITS };

/** Positive whole numbers; the message names the variable, as config.ts's own. */
const positiveWhole = (name: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${name} must be a positive whole number`)
    .transform(Number)
    .refine((n) => n > 0 && Number.isSafeInteger(n), `${name} must be a positive whole number (unset it for no limit)`);

export const quotaEnvSchema = z.object({
  QUOTA_CALLS_PER_HOUR: positiveWhole('QUOTA_CALLS_PER_HOUR').optional(),
  QUOTA_CONCURRENT_CALLS: positiveWhole('QUOTA_CONCURRENT_CALLS').optional(),
  QUOTA_MINUTES_PER_DAY: positiveWhole('QUOTA_MINUTES_PER_DAY').optional(),
  SPEND_CAP_MINUTES_PER_DAY: positiveWhole('SPEND_CAP_MINUTES_PER_DAY').optional(),
  MAX_CALL_SECONDS: positiveWhole('MAX_CALL_SECONDS').optional(),
  IDLE_CALL_SECONDS: positiveWhole('IDLE_CALL_SECONDS').optional(),
});

export function quotaConfigFrom(e: z.infer<typeof quotaEnvSchema>): QuotaConfig {
  return {
    callsPerHour: e.QUOTA_CALLS_PER_HOUR,
    concurrentCalls: e.QUOTA_CONCURRENT_CALLS,
    minutesPerDay: e.QUOTA_MINUTES_PER_DAY,
    spendCapMinutesPerDay: e.SPEND_CAP_MINUTES_PER_DAY,
    maxCallSeconds: e.MAX_CALL_SECONDS,
    idleCallSeconds: e.IDLE_CALL_SECONDS,
    units: REAL_UNITS,
  };
}

/** Whether the server must watch calls made through /connect (see their end, or end them). */
export function watchesCalls(q: QuotaConfig): boolean {
  return !!(q.concurrentCalls || q.minutesPerDay || q.spendCapMinutesPerDay || q.maxCallSeconds || q.idleCallSeconds);
}
