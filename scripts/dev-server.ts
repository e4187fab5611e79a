/**
 * The whole local stack on one port: the embedded realtime emulator
 * (/v1/realtime/…, /openai/v1/realtime/…), the reference server's routes
 * (/token, /connect, /healthz) and the demo pages with the element from
 * src/ (Vite). `npm start` and the screenshot script use it.
 * With AZURE_OPENAI_* or OPENAI_API_KEY in the environment the routes talk
 * to the real service instead (the emulator stays mounted, unused).
 */
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createVite } from 'vite';
import { createEmulator } from '../emulator/src/server.ts';
import { createApp } from '../server/src/app.ts';
import { EMULATOR_API_KEY } from '../server/src/providers/emulator.ts';
import { providerFromEnv } from '../server/src/providers/select.ts';

export interface DevServer {
  url: string;
  provider: string;
  http: Server;
  close(): Promise<void>;
}

export async function startDevServer(options: { port: number; env?: NodeJS.ProcessEnv }): Promise<DevServer> {
  const env = options.env ?? process.env;
  const app = express();
  const http = createServer(app);
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;

  const emulator = createEmulator({ apiKeys: [EMULATOR_API_KEY], ice: env.EMULATOR_ICE === 'loopback' ? 'loopback' : 'all' });
  app.use(emulator.app);
  const provider = providerFromEnv(env, `http://127.0.0.1:${port}`);
  app.use(
    createApp(
      {
        instructions: env.REALTIME_INSTRUCTIONS,
        defaultVoice: env.REALTIME_VOICE,
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
  return {
    url: `http://localhost:${port}/`,
    provider: provider.name,
    http,
    async close() {
      await Promise.all([emulator.close(), vite.close()]);
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
