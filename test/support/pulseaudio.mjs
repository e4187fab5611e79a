// An audio server for Firefox under test: headless Firefox starts no AudioContext without an audio
// device (resume() never settles, meters read 0), and its fake microphone is a fixed tone. A private
// PulseAudio with two null sinks gives it both: `speaker` (where it plays) and `microphone`, whose
// monitor is the default source (what getUserMedia records). `playMicrophone(wav)` loops a WAV into
// it from the start each time a page opens the microphone, as Chromium's
// --use-file-for-fake-audio-capture does, so the spoken e2e suites run unchanged.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

export function hasPulseAudio() {
  return ['pulseaudio', 'pactl', 'paplay'].every(
    (command) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0,
  );
}

/**
 * Starts a private PulseAudio server in `dir` (its own XDG_RUNTIME_DIR; nothing shared with a
 * desktop session). Resolves once it answers; it ends with this process.
 * @returns {Promise<{ env: Record<string, string>, playMicrophone(wav: string): void, restartMicrophone(): void, stop(): void }>}
 */
export async function startPulseAudio(dir) {
  const runtime = resolve(dir);
  rmSync(runtime, { recursive: true, force: true });
  mkdirSync(runtime, { recursive: true, mode: 0o700 });
  const env = { XDG_RUNTIME_DIR: runtime, PULSE_SERVER: `unix:${runtime}/pulse/native` };
  const childEnv = { ...process.env, ...env };
  const server = spawn(
    'pulseaudio',
    [
      '--daemonize=no',
      '--exit-idle-time=-1',
      '-n',
      '--log-target=stderr',
      '--log-level=error',
      '--load=module-native-protocol-unix',
      '--load=module-null-sink sink_name=speaker',
      '--load=module-null-sink sink_name=microphone',
    ],
    { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  server.stderr.on('data', (chunk) => (stderr += chunk));
  const pactl = (...args) => spawnSync('pactl', args, { env: childEnv, encoding: 'utf8' });
  const deadline = Date.now() + 10_000;
  while (pactl('info').status !== 0) {
    if (server.exitCode !== null || Date.now() > deadline) {
      server.kill('SIGKILL');
      throw new Error(`PulseAudio did not start in ${runtime}: ${stderr.trim() || `exit ${server.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  pactl('set-default-sink', 'speaker');
  pactl('set-default-source', 'microphone.monitor');

  const children = [server];
  const stop = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  };
  process.once('exit', stop);

  let restart = () => {};
  /**
   * Loops `wav` into the microphone, from its start whenever a page starts recording. Firefox
   * may keep its recording stream open between one page's call and the next (no new
   * source-output), so the tests also ask for a restart before each getUserMedia
   * (`restartMicrophone`, see e2e-harness.ts), done only while a recording is open.
   */
  const playMicrophone = (wav) => {
    if (!existsSync(wav)) throw new Error(`no microphone file ${wav}`);
    let player;
    let recorders = 0;
    // Only while a recording is open (Firefox reusing one): otherwise its `new` event starts the
    // WAV when the capture really begins, which under load is a second or more after getUserMedia.
    restart = () => recorders > 0 && play();
    const play = () => {
      player?.removeAllListeners('exit');
      player?.kill('SIGKILL');
      player = spawn('paplay', ['--device=microphone', wav], { env: childEnv, stdio: 'ignore' });
      player.on('exit', () => recorders > 0 && play());
      children.push(player);
    };
    const events = spawn('pactl', ['subscribe'], { env: childEnv, stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(events);
    let pending = '';
    events.stdout.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (/'new' on source-output/.test(line)) {
          recorders++;
          play();
        } else if (/'remove' on source-output/.test(line)) {
          recorders = Math.max(0, recorders - 1);
          if (recorders === 0) {
            player?.removeAllListeners('exit');
            player?.kill('SIGKILL');
          }
        }
      }
    });
  };

  return { env, playMicrophone, restartMicrophone: () => restart(), stop };
}
