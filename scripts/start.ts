/**
 * `npm start`: the emulator, the token/connect routes and the demo pages on one port (PORT, default 3000).
 *
 * The stack runs in a child process that this one starts again, on the same port, when it crashes:
 * the emulator's WebRTC is native code (@roamhq/wrtc), which has died with SIGSEGV in a test run, and
 * a demo should not end with it. A child that fails before it ever served (a wrong environment
 * variable, a port in use) is not restarted: its message is the answer.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { startDevServer } from './dev-server.ts';

const STACK_ENV = 'REALTIME_VOICE_START_CHILD';
/** Ready message from the child to the supervisor, over the IPC channel `fork` opens. */
interface Ready {
  url: string;
  provider: string;
}
/** At most this many restarts in RESTART_WINDOW_MS: a stack that keeps dying is a bug to show, not to hide. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

if (process.env[STACK_ENV]) await runStack();
else supervise();

/** The child: the whole stack in this process, ready reported to the supervisor. */
async function runStack(): Promise<void> {
  const port = Number(process.env.PORT ?? 3000);
  try {
    const server = await startDevServer({ port });
    process.send?.({ url: server.url, provider: server.provider } satisfies Ready);
    let stopping = false;
    const stop = () => {
      if (stopping) return; // Ctrl-C arrives twice: from the terminal and forwarded by the supervisor
      stopping = true;
      void server.close().finally(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('disconnect', stop); // the supervisor is gone (killed hard): do not linger on the port
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    console.error(
      e.code === 'EADDRINUSE' ? `Port ${port} is in use: set PORT to another one (PORT=3001 npm start).` : e.message,
    );
    process.exit(1);
  }
}

function supervise(): void {
  let child: ChildProcess | undefined;
  let servedOnce = false;
  let stopping = false;
  const restarts: number[] = [];

  const launch = () => {
    // The same Node flags (tsx's loader) and script, with the marker that makes it the stack.
    child = fork(process.argv[1]!, process.argv.slice(2), {
      env: { ...process.env, [STACK_ENV]: '1' },
      stdio: 'inherit',
    });
    child.on('message', (message: Ready) => {
      if (!servedOnce) {
        console.log(`\n  <realtime-voice> demo: ${message.url}`);
        console.log(
          `  realtime service: ${message.provider === 'emulator' ? 'the embedded emulator (no cloud account needed)' : message.provider}`,
        );
        console.log('  Open the URL in Chrome, click "Start conversation", allow the microphone and speak.\n');
      } else {
        console.log(
          `  <realtime-voice> demo is back at ${message.url} (calls in progress were lost; start them again).`,
        );
      }
      servedOnce = true;
    });
    child.on('exit', (code, signal) => {
      if (stopping) return process.exit(0);
      if (!servedOnce) return process.exit(code ?? 1); // failed to start: the child said why
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - RESTART_WINDOW_MS) restarts.shift();
      if (restarts.length > MAX_RESTARTS) {
        console.error(
          `  The demo server died ${restarts.length} times within a minute (last: ${signal ?? `exit ${code}`}); giving up.`,
        );
        return process.exit(1);
      }
      console.error(
        `\n  The demo server stopped unexpectedly (${signal ?? `exit ${code}`}); starting it again on the same port…`,
      );
      launch();
    });
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping = true;
      // Ctrl-C reaches the child too (same process group); a `kill` of this process alone does not.
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      else process.exit(0);
    });
  }
  launch();
}
