import type { RealtimeClientEvent } from '../events/client-events.js';
import type { RealtimeServerEvent } from '../events/server-events.js';
import type { RealtimeTool } from './tool-definitions.js';
import { initialToolRule, onServerEvent, outputSent, type ToolRuleState, type ToolStep } from './tool-rule.js';

export type { RealtimeTool };

/**
 * Runs the model's function calls by the rule in tool-rule.ts:
 * `response.function_call_arguments.done` starts the handler, its result goes
 * back as a `function_call_output` item, and once the response that asked is
 * done and every handler has answered, one `response.create` lets the model
 * use the results (one per response, not per call: two at once would be
 * refused as an active response), unless that response did not complete
 * (cancelled by barge-in, incomplete, failed).
 */
export class ToolCalls {
  #rule: ToolRuleState = initialToolRule;

  constructor(
    private readonly send: (event: RealtimeClientEvent) => boolean,
    private readonly report: (name: string, message: string, cause: unknown) => void,
  ) {}

  handle(event: RealtimeServerEvent, tools: readonly RealtimeTool[]): void {
    const e = event as unknown as Record<string, unknown>;
    this.#apply(onServerEvent(this.#rule, e), tools, e);
  }

  #apply(step: ToolStep, tools: readonly RealtimeTool[], e?: Record<string, unknown>): void {
    this.#rule = step.state;
    const decision = step.decision;
    if (decision?.kind === 'run' && e) {
      const { responseId, callId } = decision;
      void this.#run(tools, String(e.name), callId, e.arguments).then(() =>
        this.#apply(outputSent(this.#rule, responseId, callId), tools),
      );
    } else if (decision?.kind === 'follow-up') this.send({ type: 'response.create' });
  }

  async #run(tools: readonly RealtimeTool[], name: string, callId: string, argumentText: unknown): Promise<void> {
    let output: string;
    try {
      const tool = tools.find((t) => t.name === name);
      if (!tool) throw new Error('this page has no tool of that name');
      const args = typeof argumentText === 'string' && argumentText ? JSON.parse(argumentText) : {};
      const result = await tool.handler(args, { name, callId });
      output = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      // The model hears about the failure (and can say so); the page gets an error event.
      output = JSON.stringify({ error: message });
      this.report(name, message, error);
    }
    this.send({ type: 'conversation.item.create', item: { type: 'function_call_output', call_id: callId, output } });
  }
}
