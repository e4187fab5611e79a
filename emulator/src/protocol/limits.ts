/**
 * Bounds on what a client may send, checked before anything recursive
 * (validation, cloning, serialising an echo) touches it: a value nested
 * deeply enough overflows the stack of every recursive walk, and if it were
 * stored in a session, every later event of that session would fail.
 */

/** Deeper than any real session, item or event (a tool's JSON schema included). */
export const MAX_EVENT_DEPTH = 64;

/** Whether `value` nests objects or arrays deeper than `limit`; iterative, so any depth is safe to ask about. */
export function nestingExceeds(value: unknown, limit = MAX_EVENT_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) if (child && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
