// `npm start`: serves the demo page with the element from src/.
// Until the embedded emulator lands, the page talks to a token service or
// SDP proxy of your choice: put its URL in the form, or in the address
// (?token-url=… or ?connect-url=…), or set TOKEN_URL / CONNECT_URL here.
import { createServer } from 'vite';

const server = await createServer({ configFile: 'vite.config.ts' });
await server.listen();
const base = server.resolvedUrls?.local[0] ?? `http://localhost:${server.config.server.port}/`;
const query = new URLSearchParams();
if (process.env.TOKEN_URL) query.set('token-url', process.env.TOKEN_URL);
if (process.env.CONNECT_URL) query.set('connect-url', process.env.CONNECT_URL);
const url = query.size ? `${base}?${query}` : base;
console.log(`\n  <realtime-voice> demo: ${url}\n`);
if (!query.size) {
  console.log('  No emulator yet: enter the URL of your token service (token-url) or SDP proxy (connect-url) on the page,');
  console.log('  or start with TOKEN_URL=https://your-server/token npm start.\n');
}
