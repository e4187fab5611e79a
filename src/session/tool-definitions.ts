import type { RealtimeFunctionTool, RealtimeSessionConfig } from '../events/session-config.js';

/**
 * A function the model may call, run in the page. `parameters` is the JSON
 * Schema of the arguments object; whatever `handler` returns (or resolves
 * to) goes back to the model as JSON, a string as is.
 */
export interface RealtimeTool {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  /**
   * Runs the call. `signal` fires when the user speaks again (barge-in), when `timeoutMs` is up (the model
   * is then told the tool timed out) or when the call ends (stop, reconnection): its `reason` is an Error
   * named `barge-in`, `timeout` or `call-ended`. Pass it to fetch() to cancel the work.
   */
  // The arguments' shape is the page's own JSON Schema: `any`, so a page types its handler's parameter as it likes.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: (args: any, call: { name: string; callId: string; signal: AbortSignal }) => unknown;
  /** How long the handler may take, in ms (default 20000); then the model gets an error output. */
  timeoutMs?: number;
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

/**
 * The `session.update` a call starts with, queued before the channel opens so the model never runs a
 * moment without the page's tools or turn mode; undefined when there is nothing to say.
 */
export function initialSession(o: {
  tools?: readonly RealtimeTool[];
  pushToTalk?: boolean;
}): RealtimeSessionConfig | undefined {
  const session: RealtimeSessionConfig = {};
  if (o.tools?.length) Object.assign(session, { tools: toolDefinitions(o.tools), tool_choice: 'auto' });
  if (o.pushToTalk) session.audio = { input: { turn_detection: null } };
  return Object.keys(session).length ? session : undefined;
}
