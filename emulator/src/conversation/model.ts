/**
 * The scripted model: deterministic and honest about what it knows. It cannot
 * understand speech, so it says how long the user spoke; it quotes typed text
 * and the first words of its instructions; it reads a tool's result back; and,
 * when the session has tools (functions, or an MCP server's listed tools), a
 * user turn makes it call one (`chooseTool`), with arguments that fit the
 * tool's schema (`exampleArguments`).
 */
import type { EffectiveSession } from '../session.js';
import type { Item } from './items.js';
import type { CallableMcpTool } from './mcp.js';

type FunctionTool = { type: 'function'; name: string; parameters?: Record<string, unknown> };

/**
 * The documented tool rule: when tools are available (and tool_choice is not
 * "none") and the newest item is a user message (not a tool result), the
 * model calls a tool: the one tool_choice names, else the first function tool
 * whose name appears in the user's typed text, else the first listed MCP tool
 * whose name does, else the first function tool. An MCP tool is called only
 * when named (typed, or by tool_choice), or, with "required", when it is all there is.
 */
export function chooseTool(
  items: Item[],
  tools: EffectiveSession['tools'],
  toolChoice: EffectiveSession['tool_choice'],
  mcpTools: readonly CallableMcpTool[] = [],
): FunctionTool | CallableMcpTool | undefined {
  const functions = tools.filter((t): t is FunctionTool => t.type === 'function' && !!t.name);
  if ((!functions.length && !mcpTools.length) || toolChoice === 'none') return undefined;
  const last = items.at(-1);
  if (!last || last.type !== 'message' || last.role !== 'user') return undefined;
  const text = (lastUserText(items) ?? '').toLowerCase();
  const named = <T extends { name: string }>(list: readonly T[]) =>
    list.find((t) => text.includes(t.name.toLowerCase()));
  if (typeof toolChoice === 'object') {
    if (toolChoice.type === 'function') return functions.find((t) => t.name === toolChoice.name);
    const server = mcpTools.filter((t) => t.server_label === toolChoice.server_label);
    return toolChoice.name ? server.find((t) => t.name === toolChoice.name) : (named(server) ?? server[0]);
  }
  return named(functions) ?? named(mcpTools) ?? functions[0] ?? (toolChoice === 'required' ? mcpTools[0] : undefined);
}

/**
 * The user's answer to an approval request, when it is the newest item of the context (what the
 * response that follows it acts on): the request it answers, and whether the call may run.
 */
export function approvalToAct(context: Item[], conversation: Item[]): { request: Item; approved: boolean } | undefined {
  const last = context.at(-1);
  if (last?.type !== 'mcp_approval_response') return undefined;
  const request = [...context, ...conversation].find(
    (i) => i.type === 'mcp_approval_request' && i.id === last.approval_request_id,
  );
  return request ? { request, approved: last.approve === true } : undefined;
}

/**
 * What the model answers in words: a tool's result read back (or why no tool ran), else the user's typed text
 * quoted, else how long the user spoke, else a greeting; the first words of `instructions` after.
 * `context` is the response's input; `conversation` is searched too for the call a result answers.
 */
export function replyText(instructions: string, context: Item[], conversation: Item[]): string {
  const quote = sentence(instructions.trim().split(/\s+/).slice(0, 8).join(' '));
  const tail = quote ? ` My instructions begin: ${quote}` : '';
  const last = [...context].reverse().find((i) => i.role === 'user' || TOOL_OUTCOMES.has(i.type));
  if (last?.type === 'function_call_output') {
    const call = [...context, ...conversation].find((i) => i.type === 'function_call' && i.call_id === last.call_id);
    return `The ${call?.name ?? 'tool'} tool answered: ${sentence(String(last.output).slice(0, 200))}`;
  }
  if (last?.type === 'mcp_call') {
    if (last.error) return `The ${last.name} tool failed: ${sentence(last.error.message.slice(0, 200))}`;
    return `The ${last.name} tool answered: ${sentence(String(last.output ?? '').slice(0, 200))}`;
  }
  if (last?.type === 'mcp_approval_response') {
    const request = [...context, ...conversation].find((i) => i.id === last.approval_request_id);
    const reason = last.reason ? ` You said: ${sentence(last.reason.slice(0, 200))}` : '';
    return `I did not use the ${request?.name ?? 'requested'} tool because you declined it.${reason}`;
  }
  const typed = last?.content?.find((c) => c.type === 'input_text')?.text;
  if (typed) return `You wrote: ${sentence(typed.slice(0, 200))}${tail}`;
  const speechMs = last?.meta?.speechMs;
  if (speechMs !== undefined) return `I heard ${(speechMs / 1000).toFixed(1)} seconds of speech.${tail}`;
  return `Hello, this is the realtime emulator.${tail}`;
}

/** The items that end a tool's turn: what the model reads back instead of the user's words. */
const TOOL_OUTCOMES = new Set<Item['type']>(['function_call_output', 'mcp_call', 'mcp_approval_response']);

/** The arguments of the model's call of `tool`, as JSON text. */
export function toolArguments(tool: { parameters?: Record<string, unknown> }, context: Item[]): string {
  return JSON.stringify(exampleArguments(tool.parameters, lastUserText(context)));
}

function lastUserText(items: Item[]): string | undefined {
  const last = [...items].reverse().find((i) => i.role === 'user');
  return last?.content?.find((c) => c.type === 'input_text')?.text;
}

/** Arguments that satisfy a simple JSON schema: strings get the user's text (or "example"), numbers 1, booleans true. */
function exampleArguments(
  schema: Record<string, unknown> | undefined,
  text: string | undefined,
): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    if (property.enum?.length) out[name] = property.enum[0];
    else if (property.type === 'number' || property.type === 'integer') out[name] = 1;
    else if (property.type === 'boolean') out[name] = true;
    else out[name] = text ?? 'example';
  }
  return out;
}

/** Ends a quoted fragment with exactly one full stop (unless it already ends a sentence). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return !trimmed || /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
