/** `npm start`: the emulator, the token/connect routes and the demo pages on one port (PORT, default 3000). */
import { startDevServer } from './dev-server.ts';

const port = Number(process.env.PORT ?? 3000);
try {
  const server = await startDevServer({ port });
  console.log(`\n  <realtime-voice> demo: ${server.url}`);
  console.log(`  realtime service: ${server.provider === 'emulator' ? 'the embedded emulator (no cloud account needed)' : server.provider}`);
  console.log('  Open the URL in Chrome, click "Start conversation", allow the microphone and speak.\n');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      void server.close().finally(() => process.exit(0));
    });
  }
} catch (error) {
  const e = error as NodeJS.ErrnoException;
  console.error(e.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one (PORT=3001 npm start).` : e.message);
  process.exit(1);
}
