import type { RealtimeFunctionTool } from '../events/session-config.js';

/**
 * A function the model may call, run in the page. `parameters` is the JSON
 * Schema of the arguments object; whatever `handler` returns (or resolves
 * to) goes back to the model as JSON, a string as is.
 */
export interface RealtimeTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  // The arguments' shape is the page's own JSON Schema: `any`, so a page types its handler's parameter as it likes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: any, call: { name: string; callId: string }) => unknown;
}

/** The `tools` field of `session.update` for these tools (handlers stay in the page). */
export function toolDefinitions(tools: readonly RealtimeTool[]): RealtimeFunctionTool[] {
  return tools.map(({ name, description, parameters }) => ({
    type: 'function',
    name,
    description,
    parameters: parameters ?? { type: 'object', properties: {} },
  }));
}
