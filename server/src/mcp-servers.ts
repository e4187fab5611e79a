/**
 * REALTIME_MCP_SERVERS: the remote MCP servers the operator gives every session (the service calls
 * their tools itself). Declared here, in the environment, never by the page: a page that could name
 * an MCP server could point the model, and the operator's bill, at any URL. A JSON array of the GA
 * `mcp` tool's fields, validated at start-up.
 */
import { z } from 'zod';

const toolName = z.string().regex(/^[\w.-]{1,128}$/, 'must be tool names (letters, digits, . _ -)');
const toolFilter = z.strictObject({
  tool_names: z.array(toolName).max(200).optional(),
  read_only: z.boolean().optional(),
});

/** An MCP server as the session's tool: https, or http on a loopback host (a local server while developing). */
const mcpServer = z.strictObject({
  server_label: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'server_label must be letters, digits, _ or - (up to 64)'),
  server_url: z
    .string()
    .url('server_url must be a URL')
    .refine((value) => {
      const url = new URL(value);
      return (
        url.protocol === 'https:' ||
        (url.protocol === 'http:' && /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(url.hostname))
      );
    }, 'server_url must be https:// (http:// only on a loopback host)'),
  server_description: z.string().max(1000).optional(),
  allowed_tools: z.union([z.array(toolName).max(200), toolFilter]).optional(),
  require_approval: z
    .union([
      z.enum(['always', 'never']),
      z.strictObject({ always: toolFilter.optional(), never: toolFilter.optional() }),
    ])
    .optional(),
  headers: z.record(z.string().regex(/^[\w-]{1,64}$/), z.string().max(4096)).optional(),
  authorization: z.string().max(8192).optional(),
});

export type McpServerTool = z.output<typeof mcpServer> & { type: 'mcp' };

const servers = z.array(mcpServer).max(20, 'at most 20 MCP servers');

/** Parses REALTIME_MCP_SERVERS; throws an Error whose message names what is wrong (never a header's value). */
export function parseMcpServers(value: string | undefined): McpServerTool[] {
  if (!value) return [];
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error(
      'REALTIME_MCP_SERVERS must be a JSON array, e.g. [{"server_label":"docs","server_url":"https://…"}]',
    );
  }
  const parsed = servers.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? ` (at ${issue.path.join('.')})` : '';
    throw new Error(`REALTIME_MCP_SERVERS: ${issue.message}${where}`);
  }
  const labels = parsed.data.map((s) => s.server_label);
  const twice = labels.find((label, i) => labels.indexOf(label) !== i);
  if (twice) throw new Error(`REALTIME_MCP_SERVERS: the server_label "${twice}" is used twice`);
  return parsed.data.map((s) => ({ type: 'mcp' as const, ...s }));
}
