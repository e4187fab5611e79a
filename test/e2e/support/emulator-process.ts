/**
 * The emulator in a child process for the browser test run: its WebRTC
 * library is native code, and a crash there must fail tests with a message,
 * not take the test runner down with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface EmulatorProcess {
  baseUrl: string;
  /** The call's logs (the emulator's test hook), or found: false. */
  callLogs(callId: string): Promise<{ found: boolean; log?: Array<{ type: string; [k: string]: unknown }>; clientLog?: unknown[] }>;
  stop(): void;
}

export async function startEmulatorProcess(apiKey: string): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'emulator/src/index.ts', '--port', '0'], {
    env: { ...process.env, EMULATOR_ICE: 'loopback', EMULATOR_API_KEY: apiKey, EMULATOR_TEST_HOOKS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
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
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM') console.error(`[e2e] the emulator process ended unexpectedly (code ${code}, signal ${signal})`);
  });
  process.once('exit', () => child.kill('SIGTERM'));
  return {
    baseUrl,
    async callLogs(callId) {
      const response = await fetch(`${baseUrl}/__test/calls/${encodeURIComponent(callId)}`);
      return response.json() as never;
    },
    stop: () => void child.kill('SIGTERM'),
  };
}
