import type { DetailOf } from './dom-events.js';

/**
 * Dispatches a typed CustomEvent (Shoelace's `emit`): the type checker holds the detail to the map's
 * definition. The element's events bubble and are composed, so they cross shadow roots; the
 * session's do not (it is no DOM node).
 */
export function emit<M, K extends keyof M & string>(
  target: EventTarget,
  type: K,
  detail: DetailOf<M, K>,
  bubbles = false,
): void {
  target.dispatchEvent(new CustomEvent(type, { detail, bubbles, composed: bubbles }));
}
