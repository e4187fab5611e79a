/**
 * `npm start`: one process, one port — the embedded realtime emulator
 * (/v1/realtime/…, /openai/v1/realtime/…), the token and connect routes
 * (/token, /connect) and the demo pages with the element from src/.
 * With AZURE_OPENAI_* or OPENAI_API_KEY in the environment the routes talk
 * to the real service instead (the emulator stays mounted, unused).
 */
import express from 'express';
import { createServer } from 'node:http';
import { createServer as createVite } from 'vite';
import { createEmulator } from '../emulator/src/server.ts';
import { createApp } from '../server/src/app.ts';
import { EMULATOR_API_KEY } from '../server/src/providers/emulator.ts';
import { providerFromEnv } from '../server/src/providers/select.ts';

const port = Number(process.env.PORT ?? 3000);
const app = express();
const http = createServer(app);

const emulator = createEmulator({ apiKeys: [EMULATOR_API_KEY], ice: process.env.EMULATOR_ICE === 'loopback' ? 'loopback' : 'all' });
app.use(emulator.app);

const provider = providerFromEnv(process.env, `http://127.0.0.1:${port}`);
app.use(
  createApp(
    {
      instructions: process.env.REALTIME_INSTRUCTIONS,
      defaultVoice: process.env.REALTIME_VOICE,
      // The demo shows the user's side of the transcript too, and waits half a second of
      // silence before answering (200 ms, the service's default, cuts people off mid-sentence).
      sessionDefaults: { audio: { input: { transcription: { model: 'gpt-4o-mini-transcribe' }, turn_detection: { type: 'server_vad', silence_duration_ms: 500 } } } },
    },
    { provider },
  ),
);

const vite = await createVite({ configFile: 'vite.config.ts', appType: 'mpa', server: { middlewareMode: true, hmr: { server: http } } });
app.use(vite.middlewares);
http.on('upgrade', (request, socket, head) => {
  emulator.handleUpgrade(request, socket, head); // other upgrades (Vite's HMR) have their own listener
});

http.on('error', (error: NodeJS.ErrnoException) => {
  console.error(error.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one (PORT=3001 npm start).` : error.message);
  process.exit(1);
});
http.listen(port, () => {
  console.log(`\n  <realtime-voice> demo: http://localhost:${port}/`);
  console.log(`  realtime service: ${provider.name === 'emulator' ? 'the embedded emulator (no cloud account needed)' : provider.name}`);
  console.log('  Open the URL in Chrome, click "Start conversation", allow the microphone and speak.\n');
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void Promise.all([emulator.close(), vite.close()]).then(() => process.exit(0));
  });
}
