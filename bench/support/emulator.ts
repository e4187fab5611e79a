/**
 * The emulator in a child process on a fixed loopback port, started again
 * when it dies. Its WebRTC library (@roamhq/wrtc, native) can crash under
 * the hundreds of calls opened and closed in quick succession here; the
 * benchmark notes each crash (a finding in itself) and goes on, and the
 * reference server in front keeps the same base URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface BenchEmulator {
  baseUrl: string;
  /** Unexpected exits so far. */
  readonly crashes: number;
  /** Resolves once the current process listens (after a restart, the new one). */
  ready(): Promise<void>;
  stop(): void;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startBenchEmulator(apiKey: string): Promise<BenchEmulator> {
  const port = await freePort();
  let child: ChildProcess;
  let stopped = false;
  let crashes = 0;
  let listening: Promise<void>;
  const launch = () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'emulator/src/index.ts', '--port', String(port)], {
      env: { ...process.env, EMULATOR_ICE: 'loopback', EMULATOR_API_KEY: apiKey },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    listening = new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 30_000);
      child.stdout!.on('data', (chunk) => {
        out += chunk;
        if (/realtime emulator: http/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    listening.catch(() => {});
    child.once('exit', (code, signal) => {
      if (stopped) return;
      crashes++;
      console.error(`[bench] the emulator ended unexpectedly (${signal ?? `code ${code}`}); starting it again`);
      launch();
    });
  };
  launch();
  await listening!;
  process.once('exit', () => child.kill('SIGTERM'));
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get crashes() {
      return crashes;
    },
    ready: () => listening,
    stop() {
      stopped = true;
      child.kill('SIGTERM');
    },
  };
}
