import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent } from '../events/server-events.js';
import type { RealtimeTool } from './tool-definitions.js';
import type { RealtimeError } from './errors.js';
import { initialToolRule, onServerEvent, outputSent, type ToolRuleState, type ToolStep } from './tool-rule.js';

export type { RealtimeTool };

/** How long a handler may take unless its tool says (`timeoutMs`): then the model is told it timed out. */
export const DEFAULT_TOOL_TIMEOUT_MS = 20_000;

/** Why a handler's `signal` fired (its `reason`, an Error of this name). */
export type ToolAbortReason = 'barge-in' | 'timeout' | 'call-ended';

/**
 * Runs the model's function calls by the rule in tool-rule.ts:
 * `response.function_call_arguments.done` starts the handler, its result goes
 * back as a `function_call_output` item, and once the response that asked is
 * done and every handler has answered, one `response.create` lets the model
 * use the results (one per response, not per call: two at once would be
 * refused as an active response), unless that response did not complete
 * (cancelled by barge-in, incomplete, failed).
 *
 * Each handler gets an AbortSignal. It fires when the user starts speaking
 * (barge-in: the question changed), when the tool's time is up (the model gets
 * an error output saying so), and when the call ends (stop, a reconnection: the
 * output has no call to go to). A follow-up `response.create` waits while any
 * response is in progress — the model may have gone on talking while a tool ran.
 */
export class ToolCalls {
  #rule: ToolRuleState = initialToolRule;
  /** Handlers still running, by call id. */
  readonly #running = new Map<string, AbortController>();
  /** Responses in progress (response.created, not yet done). */
  readonly #inProgress = new Set<string>();
  /** Follow-ups decided while a response was in progress: sent one at a time as each ends. */
  #followUps = 0;

  constructor(
    private readonly send: (event: RealtimeClientEvent) => boolean,
    /** A non-fatal `tool-failed` for the page (made with the core's error class, handed in). */
    private readonly report: (error: RealtimeError) => void,
    private readonly Failure: new (
      code: 'tool-failed',
      message: string,
      o: { cause: unknown; fatal: false },
    ) => RealtimeError,
    /** The call's own signal: it ends, every handler's signal fires. */
    private readonly callEnded?: AbortSignal,
  ) {
    callEnded?.addEventListener('abort', () => this.#abortAll('call-ended'), { once: true });
  }

  handle(event: RealtimeServerEvent, tools: readonly RealtimeTool[]): void {
    const e = event as unknown as Record<string, unknown>;
    const responseId = String((e.response as { id?: unknown } | undefined)?.id);
    if (event.type === 'response.created') this.#inProgress.add(responseId);
    if (event.type === 'response.done') this.#inProgress.delete(responseId);
    if (event.type === 'input_audio_buffer.speech_started') this.#abortAll('barge-in');
    this.#apply(onServerEvent(this.#rule, e), tools, e);
    if (event.type === 'response.done') this.#nextFollowUp();
  }

  /** A follow-up now, or once no response is in progress. */
  #followUp(): void {
    this.#followUps++;
    this.#nextFollowUp();
  }

  #nextFollowUp(): void {
    if (!this.#followUps || this.#inProgress.size) return;
    this.#followUps--;
    this.send({ type: 'response.create' });
  }

  #abortAll(why: ToolAbortReason): void {
    for (const controller of this.#running.values()) controller.abort(abortReason(why));
  }

  #apply(step: ToolStep, tools: readonly RealtimeTool[], e?: Record<string, unknown>): void {
    this.#rule = step.state;
    const decision = step.decision;
    if (decision?.kind === 'run' && e) {
      const { responseId, callId } = decision;
      void this.#run(tools, String(e.name), callId, e.arguments).then(() =>
        this.#apply(outputSent(this.#rule, responseId, callId), tools),
      );
    } else if (decision?.kind === 'follow-up') this.#followUp();
  }

  async #run(tools: readonly RealtimeTool[], name: string, callId: string, argumentText: unknown): Promise<void> {
    const tool = tools.find((t) => t.name === name);
    const controller = new AbortController();
    const { signal } = controller;
    this.#running.set(callId, controller);
    const timeoutMs = tool?.timeoutMs ?? DEFAULT_TOOL_TIMEOUT_MS;
    const timer = setTimeout(() => controller.abort(abortReason('timeout')), timeoutMs);
    if (this.callEnded?.aborted) controller.abort(abortReason('call-ended'));
    let output: string;
    try {
      if (!tool) throw new Error('this page has no tool of that name');
      const args = typeof argumentText === 'string' && argumentText ? JSON.parse(argumentText) : {};
      // A handler that ignores its signal is not waited for once it fires.
      const result = await Promise.race([tool.handler(args, { name, callId, signal }), whenAborted(signal)]);
      output = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    } catch (error) {
      const why = signal.aborted ? (signal.reason as Error).name : '';
      if (why === 'call-ended') return; // no call to answer in
      const message =
        why === 'timeout'
          ? `it did not answer within ${timeoutMs / 1000} s`
          : why === 'barge-in'
            ? 'cancelled: the user spoke again'
            : ((error as Error)?.message ?? String(error));
      // The model hears about the failure (and can say so); the page gets an error event (not for a barge-in).
      output = JSON.stringify({ error: message });
      if (why !== 'barge-in')
        this.report(
          new this.Failure('tool-failed', `The tool "${name}" failed: ${message}`, { cause: error, fatal: false }),
        );
    } finally {
      clearTimeout(timer);
      this.#running.delete(callId);
    }
    this.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }
}

function abortReason(why: ToolAbortReason): Error {
  const error = new Error(`The tool call was aborted: ${why}`);
  error.name = why;
  return error;
}

/** Rejects with the signal's reason when it fires. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
