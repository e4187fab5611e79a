import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeState } from '../events/details.js';
import { RealtimeError } from './errors.js';

/** Events kept while a call is being set up; more is a page sending in a loop. */
export const MAX_QUEUED_EVENTS = 100;
/**
 * Queued events wait for the service's first event on the channel (session.created, which the service
 * and the emulator send first), at most this long after the channel opens: with webrtcfilter=on none
 * comes. A peer may take up its end of a fresh channel a moment after the browser sees it open; the
 * emulator's @roamhq/wrtc can then swap the first messages. A second is far above that moment (a few
 * ms on loopback, more on a busy machine) and costs a filtered call's queued greeting only once.
 */
export const HEARD_WAIT_MS = 1_000;

/**
 * What the page sends before the call can take it: queued while connecting, and held on an open
 * channel until the service has spoken, then sent in order ahead of anything newer.
 */
export class SendQueue {
  #queue: RealtimeClientEvent[] = [];
  /** Until the service has spoken (or HEARD_WAIT_MS passed): events queue even on an open channel. */
  held = true;

  reset(): void {
    this.#queue = [];
    this.held = true;
  }

  /** Queues an event; false when a call being set up already holds too many. */
  push(event: RealtimeClientEvent, open: boolean): boolean {
    // Connected, yet held: no cap (the hold lasts a second at most); while connecting, a bounded queue.
    if (!open && this.#queue.length >= MAX_QUEUED_EVENTS) return false;
    this.#queue.push(event);
    return true;
  }

  /**
   * Sends what was queued; later sends go straight out once the call is connected. Also after the hold:
   * the service may speak before the call is connected (the call part still loading), and what is sent
   * between the two (the part's settings update) is queued, to go when the call is.
   */
  release(dc: RTCDataChannel): void {
    this.held = false;
    for (const event of this.#queue.splice(0)) dc.send(JSON.stringify(event));
  }

  /**
   * Sends `event` on an open channel the service has spoken on; queues it while the call is being set
   * up (or the service has not spoken yet). Returns why it cannot when there is no call, or the event
   * is no protocol event.
   */
  send(event: RealtimeClientEvent, dc: RTCDataChannel | undefined, state: RealtimeState): RealtimeError | undefined {
    if (!event || typeof event !== 'object' || typeof event.type !== 'string' || !event.type) {
      const message = 'send() needs an event object with a "type", e.g. {type: "response.create"}.';
      return new RealtimeError('invalid-event', message, { fatal: false });
    }
    const open = state === 'connected' && dc?.readyState === 'open';
    if (open && !this.held) return void dc.send(JSON.stringify(event));
    if ((open || state === 'connecting' || state === 'reconnecting') && this.push(event, open)) return;
    const message = `Cannot send "${event.type}": there is no open call. Start the conversation first.`;
    return new RealtimeError('not-connected', message, { fatal: false });
  }
}

/** A typed user message, as a conversation item. */
export function userMessage(text: string): RealtimeClientEvent {
  return {
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
  };
}
