/**
 * A real MCP server on loopback, for the emulator's MCP tests and `npm start`'s demo (an "orders" server
 * whose cancel_order asks the user's approval): the official SDK's McpServer behind its
 * Streamable HTTP transport, stateless (a fresh server and transport for each POST, as the SDK's
 * stateless example does), so nothing outlives a request but what `close()` ends.
 *
 * Tools: lookup_order (read-only), cancel_order (destructive), broken_tool (answers an MCP error result).
 * Each call is recorded with the HTTP headers it came with, so a test can see what reached the server.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface RecordedCall {
  name: string;
  args: Record<string, unknown>;
  headers: IncomingHttpHeaders;
}

export interface RecordedRequest {
  /** The JSON-RPC method (initialize, tools/list, tools/call, …). */
  method: string;
  headers: IncomingHttpHeaders;
}

export interface McpServerOptions {
  /** How long each tool takes to answer (to test the emulator's time bound and cancellation). */
  delayMs?: number;
  /** Answer every request with this HTTP status instead (a server that errors). */
  failWithStatus?: number;
}

export interface RunningMcpServer {
  url: string;
  calls: RecordedCall[];
  requests: RecordedRequest[];
  /** Calls whose request the client ended before the tool answered (a delayed tool, its caller gone). */
  abandoned: () => number;
  close(): Promise<void>;
}

export async function startMcpServer(options: McpServerOptions = {}): Promise<RunningMcpServer> {
  const calls: RecordedCall[] = [];
  const requests: RecordedRequest[] = [];
  const pendingDelays = new Set<{ timer: ReturnType<typeof setTimeout>; resolve: () => void }>();
  let abandoned = 0;

  // A delayed answer that ends early when its request does (the client went) or at close(), so a
  // test that closes mid-call leaves no timer behind, and can tell that the client hung up.
  const delay = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const end = () => {
        clearTimeout(entry.timer);
        pendingDelays.delete(entry);
        resolve();
      };
      const entry = { timer: setTimeout(end, ms), resolve: end };
      pendingDelays.add(entry);
      signal.addEventListener('abort', () => {
        if (!pendingDelays.has(entry)) return;
        abandoned++;
        end();
      });
    });

  const mcpServer = (headers: IncomingHttpHeaders) => {
    const server = new McpServer({ name: 'emulator-test-orders', version: '1.0.0' });
    const record = async (name: string, args: Record<string, unknown>, signal: AbortSignal) => {
      calls.push({ name, args, headers });
      if (options.delayMs) await delay(options.delayMs, signal);
    };
    server.registerTool(
      'lookup_order',
      {
        description: 'Looks up an order by its id.',
        inputSchema: { order_id: z.string() },
        annotations: { readOnlyHint: true },
      },
      async (args, extra) => {
        await record('lookup_order', args, extra.signal);
        return { content: [{ type: 'text', text: `Order ${args.order_id} has shipped.` }] };
      },
    );
    server.registerTool(
      'cancel_order',
      {
        description: 'Cancels an order.',
        inputSchema: { order_id: z.string() },
        annotations: { readOnlyHint: false, destructiveHint: true },
      },
      async (args, extra) => {
        await record('cancel_order', args, extra.signal);
        return { content: [{ type: 'text', text: `Order ${args.order_id} is cancelled.` }] };
      },
    );
    server.registerTool('broken_tool', { description: 'Always fails.' }, async (extra) => {
      await record('broken_tool', {}, extra.signal);
      return { isError: true, content: [{ type: 'text', text: 'The order database is unavailable.' }] };
    });
    return server;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (options.failWithStatus) {
      res.writeHead(options.failWithStatus, { 'content-type': 'text/plain' }).end('failing on purpose');
      return;
    }
    // Stateless: no standalone notification stream (GET) and no session to end (DELETE).
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    for (const message of Array.isArray(body) ? body : [body]) {
      requests.push({ method: String((message as { method?: unknown }).method), headers: req.headers });
    }
    const server = mcpServer(req.headers);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    requests,
    abandoned: () => abandoned,
    close: async () => {
      for (const entry of [...pendingDelays]) entry.resolve();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
