// `npm start` as a newcomer runs it: the URL printed, the demo served, and a
// crash of the stack's process (the emulator's native WebRTC can die with
// SIGSEGV) answered by a restart on the same port; Ctrl-C/SIGTERM ends it all.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { test } from 'node:test';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Polls until `check` is true; fails naming what it waited for. */
async function until(check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const healthy = (port: number) => () =>
  fetch(`http://127.0.0.1:${port}/healthz`).then(
    (res) => res.ok,
    () => false,
  );

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The stack processes the supervisor started (not esbuild's service process, which tsx starts too). */
function stacksOf(pid: number): number[] {
  let lines: string[];
  try {
    lines = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n');
  } catch {
    return []; // ps exits 1 when there are none
  }
  return lines.filter((line) => line.includes('scripts/start.ts')).map((line) => Number.parseInt(line, 10));
}

test(
  'npm start prints the demo URL, serves it, restarts the stack on the same port after a crash, and stops on SIGTERM',
  { timeout: 150_000 },
  async () => {
    const port = await freePort();
    const supervisor = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: {
        ...process.env,
        PORT: String(port),
        LOG_LEVEL: 'silent',
        REALTIME_PROVIDER: 'emulator',
        EMULATOR_ICE: 'loopback',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    supervisor.stdout.on('data', (chunk) => (output += chunk));
    supervisor.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => supervisor.on('exit', (code) => resolve(code)));
    try {
      await until(
        () => output.includes(`demo: http://localhost:${port}/`),
        `the demo URL in the output (so far: ${output})`,
        60_000,
      );
      assert.ok(await healthy(port)(), '/healthz answers');
      const page = await fetch(`http://127.0.0.1:${port}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /realtime-voice/);

      const [stack] = stacksOf(supervisor.pid!);
      assert.ok(stack, 'the stack runs in a child process');
      process.kill(stack, 'SIGSEGV');
      await until(
        () => output.includes('stopped unexpectedly (SIGSEGV)'),
        'the supervisor to report the crash',
        10_000,
      );
      await until(
        () => output.includes(`demo is back at http://localhost:${port}/`),
        `the restart (so far: ${output})`,
        60_000,
      );
      assert.ok(await healthy(port)(), '/healthz answers again on the same port');
      const [restarted] = stacksOf(supervisor.pid!);
      assert.ok(restarted && restarted !== stack, 'a new stack process');

      supervisor.kill('SIGTERM');
      assert.equal(await exited, 0, 'SIGTERM ends npm start cleanly');
      await until(() => !alive(restarted), 'the stack process to be gone', 10_000);
      assert.equal(await healthy(port)(), false, 'nothing left on the port');
    } finally {
      if (supervisor.exitCode === null) supervisor.kill('SIGKILL');
    }
  },
);

test(
  'npm start with a wrong environment exits with its message instead of restarting',
  { timeout: 60_000 },
  async () => {
    const run = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { ...process.env, PORT: String(await freePort()), REALTIME_PROVIDER: 'no-such-provider' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout.on('data', (chunk) => (output += chunk));
    run.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(output, /REALTIME_PROVIDER/);
    assert.doesNotMatch(output, /starting it again/);
  },
);
