/**
 * Server-side tools the observer offers the model. They run on your server,
 * never in the browser, so they can use secrets and private data. Add yours
 * here: a JSON schema the model sees, and a handler that returns JSON.
 */
export interface ServerTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  handler(args: Record<string, unknown>): Promise<unknown> | unknown;
}

export const exampleTools: ServerTool[] = [
  {
    name: 'get_server_time',
    description: "The server's current date and time (ISO 8601, UTC).",
    parameters: { type: 'object', properties: {}, additionalProperties: false },
    handler: () => ({ now: new Date().toISOString() }),
  },
];
