/**
 * The service's side of remote MCP tools: for each `{type: "mcp", server_url}` tool of the session, a
 * client of the official MCP SDK (Streamable HTTP) that lists the server's tools into a `mcp_list_tools`
 * item, and later runs the calls the model makes (`tools/call`). Each listing and call is bounded in
 * time; closing ends every request still out and every client, so a closed call leaves no socket or timer.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { newId } from '../ids.js';
import type { EffectiveSession } from '../session.js';
import { wire, type ConversationItems, type Emit, type Item, type McpCallError, type McpListedTool } from './items.js';
import { errorEvent } from './client-events.js';

export type McpToolConfig = Extract<EffectiveSession['tools'][number], { type: 'mcp' }>;
type ToolFilter = { tool_names?: string[]; read_only?: boolean };

/** A tool the model may call: listed by its server, let through `allowed_tools`. */
export interface CallableMcpTool extends McpListedTool {
  type: 'mcp';
  server_label: string;
  /** Whether `require_approval` asks the user before this tool runs. */
  requiresApproval: boolean;
}

export type McpCallResult = { output: string } | { error: McpCallError };

/** The service's bound on one MCP request; a server slower than this fails the listing or the call. */
export const MCP_TIMEOUT_MS = 20_000;

interface Connection {
  /** The tool's settings that reach the server: another value means another listing. */
  key: string;
  config: McpToolConfig;
  client: Client;
  /** Aborts the listing and every call of this server. */
  abort: AbortController;
  listing: Promise<void>;
  /** The server's tools once listed (allowed ones only); undefined while listing, or when it failed. */
  tools?: McpListedTool[];
}

export interface McpHost {
  readonly items: ConversationItems;
  emit: Emit;
}

export class McpServers {
  readonly #connections = new Map<string, Connection>();
  #closed = false;

  constructor(
    private readonly host: McpHost,
    private readonly timeoutMs = MCP_TIMEOUT_MS,
  ) {}

  /**
   * Follows the session's tools: a server new or changed since it was listed is (re)listed, one no
   * longer among the tools is disconnected. Listing runs in the background; `whenListed` waits for it.
   */
  sync(tools: EffectiveSession['tools']): void {
    if (this.#closed) return;
    const wanted = new Map(
      tools.filter((t): t is McpToolConfig => t.type === 'mcp' && !!t.server_url).map((t) => [t.server_label, t]),
    );
    for (const [label, connection] of this.#connections) {
      const config = wanted.get(label);
      if (!config || connectionKey(config) !== connection.key) this.#disconnect(label);
    }
    for (const [label, config] of wanted) if (!this.#connections.has(label)) this.#list(config);
  }

  /** Resolves when the listings of these tools' servers have ended (at once when none is under way). */
  whenListed(tools: EffectiveSession['tools']): Promise<void> | undefined {
    const pending = this.#matching(tools).filter(({ connection }) => !connection.tools);
    return pending.length
      ? Promise.all(pending.map(({ connection }) => connection.listing)).then(() => undefined)
      : undefined;
  }

  /** The listed tools of the servers among `tools` (the session's, or a response's own). */
  callableTools(tools: EffectiveSession['tools']): CallableMcpTool[] {
    // The approval setting is read from `tools`: a session.update may change it without a new listing.
    return this.#matching(tools).flatMap(({ config, connection }) =>
      (connection.tools ?? []).map((tool) => ({
        ...tool,
        type: 'mcp' as const,
        server_label: config.server_label,
        requiresApproval: requiresApproval(config.require_approval, tool),
      })),
    );
  }

  /** Runs `tools/call` on the server; a failure of any kind is a result too (the call item's `error`). */
  async call(serverLabel: string, name: string, args: string, signal: AbortSignal): Promise<McpCallResult> {
    const connection = this.#connections.get(serverLabel);
    if (!connection?.tools) {
      return { error: { type: 'tool_execution_error', message: `The MCP server '${serverLabel}' is not connected.` } };
    }
    const bound = this.#bound(connection, signal);
    try {
      const result = await connection.client.callTool(
        { name, arguments: JSON.parse(args) as Record<string, unknown> },
        undefined,
        bound.options,
      );
      const text = textOf(result.content);
      if (result.isError) return { error: { type: 'tool_execution_error', message: text || `${name} failed.` } };
      return { output: text };
    } catch (error) {
      return { error: callError(error, serverLabel, name, bound.timedOut(), this.timeoutMs) };
    } finally {
      bound.end();
    }
  }

  /** Ends every listing and call still out and closes every client. */
  close(): void {
    this.#closed = true;
    for (const label of [...this.#connections.keys()]) this.#disconnect(label);
  }

  /** The servers among `tools` that this conversation has connected to, with the same settings. */
  #matching(tools: EffectiveSession['tools']): Array<{ config: McpToolConfig; connection: Connection }> {
    return tools.flatMap((config) => {
      if (config.type !== 'mcp') return [];
      const connection = this.#connections.get(config.server_label);
      return connection && connection.key === connectionKey(config) ? [{ config, connection }] : [];
    });
  }

  #list(config: McpToolConfig): void {
    const item: Item = {
      id: newId('mcpl'),
      type: 'mcp_list_tools',
      object: 'realtime.item',
      status: 'in_progress',
      server_label: config.server_label,
      tools: [],
    };
    const headers: Record<string, string> = { ...config.headers };
    if (config.authorization) headers.Authorization = `Bearer ${config.authorization}`;
    const transport = new StreamableHTTPClientTransport(new URL(config.server_url!), {
      requestInit: { headers },
      // No reconnection timers: a stream that drops is a failed request, reported as such.
      reconnectionOptions: {
        maxRetries: 0,
        initialReconnectionDelay: 0,
        maxReconnectionDelay: 0,
        reconnectionDelayGrowFactor: 1,
      },
    });
    const connection: Connection = {
      key: connectionKey(config),
      config,
      client: new Client({ name: 'realtime-emulator', version: '1.0.0' }),
      abort: new AbortController(),
      listing: Promise.resolve(),
    };
    this.#connections.set(config.server_label, connection);
    this.host.items.addOutput(item);
    this.host.emit({ type: 'mcp_list_tools.in_progress', item_id: item.id });
    connection.listing = this.#fetchTools(connection, transport).then(
      (tools) => {
        if (this.#connections.get(config.server_label) !== connection) return;
        connection.tools = tools.filter((tool) => allowed(config.allowed_tools, tool));
        item.tools = connection.tools;
        item.status = 'completed';
        this.host.emit({ type: 'mcp_list_tools.completed', item_id: item.id });
        this.#itemDone(item);
      },
      (error: unknown) => {
        if (this.#connections.get(config.server_label) !== connection) return;
        this.#disconnect(config.server_label);
        item.status = 'incomplete';
        this.host.emit({ type: 'mcp_list_tools.failed', item_id: item.id });
        this.#itemDone(item);
        this.host.emit(
          errorEvent(
            'mcp_list_tools_failed',
            `Listing the tools of the MCP server '${config.server_label}' failed: ${describe(error)}`,
            'session.tools',
            undefined,
            'server_error',
          ),
        );
      },
    );
  }

  async #fetchTools(connection: Connection, transport: StreamableHTTPClientTransport): Promise<McpListedTool[]> {
    const bound = this.#bound(connection);
    try {
      await connection.client.connect(transport, bound.options);
      const tools: McpListedTool[] = [];
      let cursor: string | undefined;
      do {
        const page = await connection.client.listTools(cursor ? { cursor } : undefined, bound.options);
        for (const tool of page.tools) {
          tools.push({
            name: tool.name,
            input_schema: tool.inputSchema as Record<string, unknown>,
            description: tool.description ?? null,
            annotations: (tool.annotations as Record<string, unknown> | undefined) ?? null,
          });
        }
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    } catch (error) {
      throw bound.timedOut() ? new Error(`no answer within ${this.timeoutMs / 1000} s`) : error;
    } finally {
      bound.end();
    }
  }

  /**
   * One request's limits: the connection's abort (closing), the caller's, and the time bound. The SDK's
   * own timeout is set past ours, so the message a client sees is this module's.
   */
  #bound(connection: Connection, signal?: AbortSignal) {
    const controller = new AbortController();
    let timedOut = false;
    const abort = () => controller.abort();
    const timer = setTimeout(() => {
      timedOut = true;
      abort();
    }, this.timeoutMs);
    connection.abort.signal.addEventListener('abort', abort);
    signal?.addEventListener('abort', abort);
    return {
      options: { signal: controller.signal, timeout: this.timeoutMs + 1000 },
      timedOut: () => timedOut,
      end: () => {
        clearTimeout(timer);
        connection.abort.signal.removeEventListener('abort', abort);
        signal?.removeEventListener('abort', abort);
      },
    };
  }

  #itemDone(item: Item): void {
    this.host.emit({
      type: 'conversation.item.done',
      previous_item_id: this.host.items.previousId(item),
      item: wire(item),
    });
  }

  #disconnect(label: string): void {
    const connection = this.#connections.get(label);
    if (!connection) return;
    this.#connections.delete(label);
    connection.abort.abort();
    void connection.client.close().catch(() => undefined);
  }
}

/** What must be the same for a listing to stand: the server and what is sent to it, and the filter. */
function connectionKey(config: McpToolConfig): string {
  return JSON.stringify([
    config.server_url,
    config.headers ?? null,
    config.authorization ?? null,
    config.allowed_tools ?? null,
  ]);
}

/** A filter object matches a tool when every condition it states holds (`{}` matches all). */
function matches(filter: ToolFilter | undefined, tool: McpListedTool): boolean {
  if (!filter) return false;
  if (filter.tool_names && !filter.tool_names.includes(tool.name)) return false;
  if (filter.read_only !== undefined && (tool.annotations?.readOnlyHint === true) !== filter.read_only) return false;
  return true;
}

function allowed(allowedTools: McpToolConfig['allowed_tools'], tool: McpListedTool): boolean {
  if (!allowedTools) return true;
  return Array.isArray(allowedTools) ? allowedTools.includes(tool.name) : matches(allowedTools, tool);
}

/**
 * `require_approval`: absent or null is the description's default, "always". With a filter object,
 * `never` wins over `always`; a tool that neither names needs approval (the default), except when the
 * object gives only `always`: then it would otherwise change nothing, so the others run unasked.
 */
function requiresApproval(setting: McpToolConfig['require_approval'], tool: McpListedTool): boolean {
  if (setting === 'never') return false;
  if (!setting || setting === 'always') return true;
  if (matches(setting.never, tool)) return false;
  if (matches(setting.always, tool)) return true;
  return setting.never !== undefined || setting.always === undefined;
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => part?.type === 'text' && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

function callError(error: unknown, label: string, name: string, timedOut: boolean, timeoutMs: number): McpCallError {
  if (timedOut) {
    return {
      type: 'protocol_error',
      code: -32001,
      message: `The MCP server '${label}' did not answer ${name} within ${timeoutMs / 1000} s.`,
    };
  }
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code >= 100) {
    return { type: 'http_error', code: error.code, message: `The MCP server '${label}' answered: ${error.message}` };
  }
  if (error instanceof McpError) return { type: 'protocol_error', code: error.code, message: error.message };
  return { type: 'protocol_error', code: -32000, message: `The MCP server '${label}' failed: ${describe(error)}` };
}

function describe(error: unknown): string {
  if (error instanceof Error && error.name === 'AbortError') return 'the request was cancelled';
  if (error instanceof StreamableHTTPError && error.code !== undefined) return `HTTP ${error.code}: ${error.message}`;
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}
