/**
 * The emulator in a child process for the browser test run: its WebRTC
 * library (@roamhq/wrtc, native code) has crashed now and then (SIGSEGV),
 * and a crash there must fail at most the test in flight, with a message:
 * it must not take the test runner down, nor every later test with it. So
 * the process is started again, on the same port, when it dies.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface EmulatorProcess {
  baseUrl: string;
  /** The call's logs (the emulator's test hook), or found: false. */
  callLogs(callId: string): Promise<{
    found: boolean;
    log?: Array<{ type: string; [k: string]: unknown }>;
    clientLog?: unknown[];
    /** What each response was given: its context items (role, type, text). */
    contexts?: Array<{ response_id: string; items: Array<{ id: string; type: string; role?: string; text: string }> }>;
  }>;
  stop(): void;
}

function spawnEmulator(apiKey: string, port: number): { child: ChildProcess; ready: Promise<string> } {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'emulator/src/index.ts', '--port', String(port)],
    {
      env: { ...process.env, EMULATOR_ICE: 'loopback', EMULATOR_API_KEY: apiKey, EMULATOR_TEST_HOOKS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const ready = new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /realtime emulator: (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited (${code}): ${out}`)));
  });
  return { child, ready };
}

export async function startEmulatorProcess(apiKey: string): Promise<EmulatorProcess> {
  let stopping = false;
  let current = spawnEmulator(apiKey, 0);
  const baseUrl = await current.ready;
  const port = Number(new URL(baseUrl).port);
  const watch = (child: ChildProcess) =>
    child.on('exit', (code, signal) => {
      if (stopping) return;
      console.error(
        `[e2e] the emulator process ended unexpectedly (code ${code}, signal ${signal}); starting it again on port ${port}`,
      );
      current = spawnEmulator(apiKey, port);
      current.ready.catch((error: Error) => console.error(`[e2e] the emulator did not come back: ${error.message}`));
      watch(current.child);
    });
  watch(current.child);
  process.once('exit', () => {
    stopping = true;
    current.child.kill('SIGTERM');
  });
  return {
    baseUrl,
    async callLogs(callId) {
      const response = await fetch(`${baseUrl}/__test/calls/${encodeURIComponent(callId)}`);
      return response.json() as never;
    },
    stop: () => {
      stopping = true;
      current.child.kill('SIGTERM');
    },
  };
}
