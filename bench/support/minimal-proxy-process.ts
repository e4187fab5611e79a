/**
 * The smallest token route one could write, as a second baseline for
 * /token: node:http, read the body, fetch() client_secrets from the stand-in
 * (UPSTREAM_BASE), answer its JSON. No validation, no rate limit, no
 * headers. What is left between it and the reference server is what Express,
 * helmet, the rate limiter, zod and logging cost, less what the server saves
 * posting upstream with undici's request() rather than fetch()
 * (server/src/providers/upstream-post.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = `${process.env.UPSTREAM_BASE}/v1/realtime/client_secrets`;
const http = createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  const { voice } = JSON.parse(body || '{}') as { voice?: string };
  const answer = await fetch(upstream, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({ session: { type: 'realtime', model: 'gpt-realtime', audio: { output: { voice } } } }),
  });
  const secret = (await answer.json()) as { value: string; expires_at: number };
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ value: secret.value, expires_at: secret.expires_at }));
});
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
process.send!({ base: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
process.on('disconnect', () => process.exit(0));
