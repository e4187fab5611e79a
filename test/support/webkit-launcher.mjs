// A @web/test-runner launcher for WebKit: Debian's WebKitGTK MiniBrowser, driven
// through WebKitWebDriver (package webkit2gtk-driver) with @web/test-runner-webdriver.
//
//   import { webkitLauncher } from './test/support/webkit-launcher.mjs';
//   export default { ...config, browsers: [await webkitLauncher()] };
//
// webdriverio cannot start WebKitWebDriver itself (it only knows chromedriver,
// geckodriver, msedgedriver and safaridriver), so this starts it, and an Xvfb for
// it when there is no $DISPLAY (MiniBrowser is a GTK window, it has no headless
// mode). Both are children of this process and are killed when it exits.
// A small in-process HTTP proxy maps insecure.test to 127.0.0.1 (see startHostProxy).
//
// Debian builds WebKitGTK without WebRTC: RTCPeerConnection is undefined there.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { webdriverLauncher } from '@web/test-runner-webdriver';

const MINIBROWSER_CANDIDATES = [
  process.env.WEBKIT_MINIBROWSER,
  '/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser',
  '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkitgtk-6.0/MiniBrowser',
  '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  '/usr/libexec/webkit2gtk-4.1/MiniBrowser',
];

// Each child leads its own process group (detached), killed whole: WebKitWebDriver's
// MiniBrowser (and its WebKit web processes) go with it.
const children = [];
const killChildren = () => {
  for (const child of children.splice(0)) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
};
// The runner stops itself on Ctrl-C and then calls process.exit(): 'exit' runs.
// It does not handle SIGTERM, whose default would skip 'exit'.
process.once('exit', killChildren);
process.once('SIGTERM', () => {
  killChildren();
  process.exit(143);
});

function stop(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  children.splice(children.indexOf(child), 1);
}

function start(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, ...options });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  child.stderr?.unref?.();
  child.unref(); // never keep the runner alive on our account
  return { child, stderr: () => stderr };
}

/** An Xvfb on a display number it picks itself (-displayfd: no race for a free one). */
async function startXvfb() {
  const { child, stderr } = start('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdio[3].on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    child.stdio[3].unref?.();
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${stderr()}`)));
  });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

async function waitForDriver(port, driver) {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (driver.child.exitCode !== null)
      throw new Error(`WebKitWebDriver exited (${driver.child.exitCode}): ${driver.stderr()}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/status`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`WebKitWebDriver did not answer on port ${port}: ${driver.stderr()}`);
}

/**
 * For the insecure-context test, http://insecure.test:<port>/ must reach the test server
 * (Chromium: --host-resolver-rules 'MAP insecure.test 127.0.0.1'; Firefox:
 * network.dns.localDomains). WebKitGTK has no such switch, but takes a WebDriver proxy:
 * this one sends insecure.test to 127.0.0.1 and refuses any other host. It forwards
 * requests in origin form, as the dev server needs (it fails on absolute-form URLs).
 */
async function startHostProxy() {
  const server = createHttpServer((req, res) => {
    const target = new URL(req.url);
    if (target.hostname !== 'insecure.test') {
      res.writeHead(502).end(`no network here (${target.host})`);
      return;
    }
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: target.port || 80,
        method: req.method,
        path: target.pathname + target.search,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return server.address().port;
}

/** MiniBrowser, its driver and an X server are installed (Debian: webkit2gtk-driver, xvfb). */
export function hasWebKit() {
  const onPath = (command) => (process.env.PATH ?? '').split(':').some((dir) => existsSync(`${dir}/${command}`));
  return (
    MINIBROWSER_CANDIDATES.some((path) => path && existsSync(path)) &&
    onPath('WebKitWebDriver') &&
    (!!process.env.DISPLAY || onPath('Xvfb'))
  );
}

/**
 * Starts Xvfb (unless $DISPLAY is set) and WebKitWebDriver, and returns a
 * BrowserLauncher for MiniBrowser. `args` are added to MiniBrowser's own.
 */
export async function webkitLauncher({ args = [] } = {}) {
  const binary = MINIBROWSER_CANDIDATES.find((path) => path && existsSync(path));
  if (!binary)
    throw new Error(
      'MiniBrowser not found: install libwebkitgtk-6.0-4 or libwebkit2gtk-4.1-0 (or set WEBKIT_MINIBROWSER)',
    );
  const display = process.env.DISPLAY || (await startXvfb());
  // The driver passes its environment to MiniBrowser: that is where DISPLAY must be.
  // No accessibility bus or desktop session here: GTK would wait on D-Bus for them (seen: a first
  // session that never came up in a clean-clone run).
  const env = { ...process.env, DISPLAY: display, NO_AT_BRIDGE: '1', GTK_A11Y: 'none' };
  const startDriver = async () => {
    const port = await freePort();
    const driver = start('WebKitWebDriver', [`--port=${port}`], { env });
    await waitForDriver(port, driver);
    return { port, driver };
  };
  let current = await startDriver();
  const proxyPort = await startHostProxy();
  const launcher = webdriverLauncher({
    hostname: '127.0.0.1',
    port: current.port,
    logLevel: 'error',
    // webdriverio's undici headers timeout: a POST /session that hangs fails after 45 s
    // (UND_ERR_HEADERS_TIMEOUT, which webdriverio does not retry; see restartOnHang below).
    connectionRetryTimeout: 45_000,
    capabilities: {
      browserName: 'MiniBrowser',
      // Loopback direct; anything else through our proxy (startHostProxy, above).
      proxy: { proxyType: 'manual', httpProxy: `127.0.0.1:${proxyPort}`, noProxy: ['localhost', '127.0.0.1', '[::1]'] },
      // webdriverio 9 asks for WebDriver BiDi (webSocketUrl: true) by default;
      // WebKitWebDriver then answers "Failed to match capabilities". Classic only.
      'wdio:enforceWebDriverClassic': true,
      'webkitgtk:browserOptions': {
        binary,
        args: [
          '--automation', // required for a WebDriver session
          // getUserMedia with WebKit's mock microphones ("Mock audio device 1..3"), as
          // Chromium's --use-fake-device-for-media-stream; automation mode grants it.
          '--enable-media-stream=true',
          '--enable-mock-capture-devices=true',
          // As Chromium's --autoplay-policy=no-user-gesture-required in the base config.
          '--autoplay-policy=allow',
          ...args,
        ],
      },
    },
  });
  restartOnHang(launcher, async () => {
    const said = current.driver.stderr().trim();
    stop(current.driver.child);
    current = await startDriver();
    return { port: current.port, said };
  });
  return launcher;
}

const SESSION_TRIES = 3;

/**
 * Clean-clone CI runs saw WebKitWebDriver's first POST /session hang (twice in some twenty
 * runs; never reproduced by hand), and the runner's launcher keeps that one failed promise:
 * every WebKit file failed. The launcher creates its WebDriver session in createDriverManager
 * (a private method of @web/test-runner-webdriver 0.9): when that fails, this starts a fresh
 * driver (and MiniBrowser) and asks again, up to SESSION_TRIES times, saying so on stderr.
 */
function restartOnHang(launcher, restartDriver) {
  const create = launcher.createDriverManager?.bind(launcher);
  if (!create || !launcher.options) throw new Error('@web/test-runner-webdriver changed: restartOnHang needs updating');
  launcher.createDriverManager = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await create();
      } catch (error) {
        if (attempt === SESSION_TRIES) throw error;
        const { port, said } = await restartDriver();
        console.warn(
          `[realtime-voice] WebKit: no WebDriver session (${error.message}); WebKitWebDriver restarted ` +
            `(try ${attempt + 1} of ${SESSION_TRIES}). It had said: ${said.slice(-800) || '(nothing)'}`,
        );
        launcher.options.port = port;
      }
    }
  };
}
