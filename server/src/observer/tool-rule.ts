/**
 * The rule for answering the model's function calls, as a pure function of
 * the events (no I/O, no imports). The observer (call-observer.ts) runs it for
 * the server's tools. This is a copy of the widget's src/session/tool-rule.ts,
 * because server/ deploys without src/; test/node/tool-rule.test.ts checks
 * that both decide the same. Change both or neither.
 *
 * - `response.function_call_arguments.done` starts that call's handler; the
 *   call belongs to the response that asked (`response_id`).
 * - Once that response is done and every one of its calls' outputs was sent
 *   (`conversation.item.create` of a `function_call_output`), the response
 *   is settled: one `response.create` follows, one per response (not per
 *   call: a second would be refused while the first is active) — but only
 *   when the response completed. A response cancelled (barge-in, response.cancel),
 *   incomplete or failed asked nothing the user still waits for: its outputs
 *   go into the conversation, and no new response is started for them.
 * - Calls of different responses are kept apart: each response settles on
 *   its own calls, in whichever order calls, outputs and responses end.
 */

/** A response that asked for calls: the call ids whose output was not sent yet, and its status once done. */
export interface PendingResponse {
  readonly waiting: readonly string[];
  /** `response.done`'s status; undefined while the response runs. */
  readonly status?: string;
}

export interface ToolRuleState {
  /** By response id: only responses that asked for a call, until they are settled. */
  readonly responses: ReadonlyMap<string, PendingResponse>;
}

export type ToolDecision =
  /** Run this call's handler, then report its output sent (`outputSent`). */
  | { kind: 'run'; responseId: string; callId: string }
  /** The response is settled and completed: send one `response.create`. */
  | { kind: 'follow-up'; responseId: string }
  /** The response is settled but did not complete (cancelled, incomplete, failed): no `response.create`. */
  | { kind: 'no-follow-up'; responseId: string; status: string };

export interface ToolStep {
  state: ToolRuleState;
  decision?: ToolDecision;
}

export const initialToolRule: ToolRuleState = { responses: new Map() };

/** Whether a response that asked for calls gets a follow-up `response.create` (once their outputs are sent). */
export function followUpAfter(response: { status?: unknown }): boolean {
  return response.status === 'completed';
}

/** A server event: a call starts, or the response it belongs to is done; any other event changes nothing. */
export function onServerEvent(state: ToolRuleState, event: { type?: unknown; [field: string]: unknown }): ToolStep {
  if (event.type === 'response.function_call_arguments.done') {
    const responseId = String(event.response_id);
    const callId = String(event.call_id);
    const pending = state.responses.get(responseId);
    const next = { ...pending, waiting: [...(pending?.waiting ?? []), callId] };
    return { state: withResponse(state, responseId, next), decision: { kind: 'run', responseId, callId } };
  }
  if (event.type === 'response.done') {
    const response = (event.response ?? {}) as { id?: unknown; status?: unknown };
    const responseId = String(response.id);
    const pending = state.responses.get(responseId);
    if (!pending || pending.status !== undefined) return { state }; // asked for nothing (or done twice)
    return settle(state, responseId, { ...pending, status: String(response.status) });
  }
  return { state };
}

/** A call's output was sent (or queued to go out before any follow-up). */
export function outputSent(state: ToolRuleState, responseId: string, callId: string): ToolStep {
  const pending = state.responses.get(responseId);
  const index = pending ? pending.waiting.indexOf(callId) : -1;
  if (!pending || index < 0) return { state };
  const waiting = [...pending.waiting.slice(0, index), ...pending.waiting.slice(index + 1)];
  return settle(state, responseId, { ...pending, waiting });
}

/** A response done with no output still to send is settled: dropped from the state, with its decision. */
function settle(state: ToolRuleState, responseId: string, pending: PendingResponse): ToolStep {
  if (pending.status === undefined || pending.waiting.length)
    return { state: withResponse(state, responseId, pending) };
  const responses = new Map(state.responses);
  responses.delete(responseId);
  const decision: ToolDecision = followUpAfter(pending)
    ? { kind: 'follow-up', responseId }
    : { kind: 'no-follow-up', responseId, status: pending.status };
  return { state: { responses }, decision };
}

function withResponse(state: ToolRuleState, responseId: string, pending: PendingResponse): ToolRuleState {
  const responses = new Map(state.responses);
  responses.set(responseId, pending);
  return { responses };
}
