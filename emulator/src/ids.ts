import { randomBytes } from 'node:crypto';

/** Service-style ids: `event_…`, `item_…`, `resp_…`, `rtc_…`, `sess_…`, `call_…`, `ek_…`. */
export function newId(prefix: string, bytes = 9): string {
  return `${prefix}_${randomBytes(bytes).toString('base64url')}`;
}
