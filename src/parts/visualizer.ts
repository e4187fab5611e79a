/**
 * The visualizer part (`realtime-voice.visualizer.js`), asked for by `visualizer="orb"` or `"bars"`: a
 * decorative canvas (`part="visualizer"`, hidden from assistive technology: the status line says who
 * is talking) that draws the meters part's levels, the user's (`inputLevel`) and the assistant's
 * (`outputLevel`), with a look for each state: idle, connecting, listening, user speaking, thinking,
 * assistant speaking, muted, error.
 *
 * Off the page's main thread where the browser can (offscreen.ts): the canvas is handed to a worker
 * that is this same file. The worker runs the frame loop and draws; the page only tells it the look,
 * the colours, the size and the levels (as `realtime-levels` come: when they change, ≤ 15 a second). Any 60 fps loop on
 * the main thread costs ~5 % of a core here even drawing nothing (bench: an empty
 * requestAnimationFrame loop); in the worker the page's share is the messages. Where the worker
 * cannot be, the page draws itself, as before.
 *
 * The loop runs only while a call is active and the canvas is on screen (IntersectionObserver) in a
 * visible tab, and only for the looks that move (not idle, muted, error); no layout is read in a
 * frame: the backing size comes from a ResizeObserver, the colours are read when the look or the theme
 * changes, and when the colours themselves change (a site's own dark-mode class, the OS scheme, forced
 * colours: a 1 ms transition on them ends, so an idle orb follows too, with no polling). Under
 * `prefers-reduced-motion: reduce` there is no loop: a still frame when the look changes.
 *
 * Colours: `--realtime-voice-visualizer-user`, `-assistant`, `-thinking`, `-error`, `-muted` (any CSS colour),
 * through the canvas's own `color` properties so that `light-dark()` and system colours resolve.
 */
import type { PartFactory } from './kit.js';
import { inWorker, serveInWorker, startDrawingWorker } from './offscreen.js';

type Rgb = [number, number, number, number];

/** What a picture depends on, apart from the time and the levels. */
interface Scene {
  look: string;
  kind: string;
  /** user, assistant, thinking, error, muted. */
  colours: Rgb[];
  forced: boolean;
}

/** Draws the scene: the page's own loop, or the worker's. */
interface Painter {
  scene(scene: Scene): void;
  size(width: number, height: number): void;
  levels(input: number, output: number): void;
  /** true: the frame loop; false: one still frame. */
  run(moving: boolean): void;
  dispose(): void;
  /** The worker's: its pixels and how many frames it drew (for tests). */
  snapshot?(): Promise<unknown>;
}

/** Messages from the page to the worker (one or more fields each; asked, it answers with its pixels and frames). */
interface ToWorker {
  scene?: Scene;
  size?: [number, number];
  levels?: [number, number];
  run?: boolean;
}

/** The looks that do not move (and draw no level). */
const resting = (look: string) => look === 'idle' || look === 'muted' || look === 'error';

/** The colour at `alpha`, `light` of the way to white. */
const tint = ([r, g, b, a]: Rgb, alpha: number, light = 0) =>
  `rgba(${r + (255 - r) * light},${g + (255 - g) * light},${b + (255 - b) * light},${a * alpha})`;

/**
 * One picture of `scene` at time `t` (seconds; 0 for a still frame). `memory.level` smooths the level
 * from frame to frame. Pure drawing: the page and the worker both call it.
 */
function paint(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  width: number,
  height: number,
  scene: Scene,
  [input, output]: [number, number],
  t: number,
  memory: { level: number },
): void {
  const { look, kind } = scene;
  if (!width || scene.colours.length < 5) return;
  const [user, assistant, ponder, danger, grey] = scene.colours as [Rgb, Rgb, Rgb, Rgb, Rgb];
  const speaking = look === 'assistant-speaking';
  const thinking = look === 'thinking';
  const colour = speaking ? assistant : thinking ? ponder : look === 'error' ? danger : look === 'muted' ? grey : user;
  const target = resting(look) ? 0 : speaking ? output : input;
  const level = (memory.level = t ? memory.level + (target - memory.level) * 0.3 : target);
  const still = !t || look === 'idle';
  const light = scene.forced ? 0 : 0.55;
  const side = Math.min(width, height) / 2;
  const cx = width / 2;
  const cy = height / 2;
  ctx.clearRect(0, 0, width, height);
  ctx.globalAlpha = look === 'muted' ? 0.45 : look === 'connecting' ? 0.6 + 0.3 * Math.sin(t * 4) : 1;
  if (kind === 'bars') {
    const gap = width / 16;
    const bar = (width - gap * 6) / 5;
    ctx.fillStyle = tint(colour, 1);
    for (let i = 0; i < 5; i++) {
      const wave = thinking ? 0.25 + 0.2 * Math.sin(t * 4 - i) : level * (1 - Math.abs(i - 2) / 4);
      const h = Math.max(bar, height * Math.min(1, 0.12 + wave * (still ? 1 : 0.85 + 0.15 * Math.sin(t * 9 + i * 2))));
      ctx.beginPath();
      ctx.roundRect(gap + i * (bar + gap), cy - h / 2, bar, h, bar / 2);
      ctx.fill();
    }
    return;
  }
  // The orb: a glow, then a wobbling body lit from a point that turns slowly while thinking.
  // Listening (and connecting) is a smaller, calmer orb than speaking, whatever the level.
  const quiet = look === 'listening' || look === 'connecting' || look === 'idle';
  const r =
    side * ((look === 'muted' ? 0.4 : quiet ? 0.44 : 0.52) + 0.3 * level) * (still ? 1 : 1 + 0.03 * Math.sin(t * 1.6));
  const wobble = still ? 0 : thinking ? 0.03 : 0.025 + 0.06 * level;
  let g = ctx.createRadialGradient(cx, cy, r * 0.7, cx, cy, side);
  g.addColorStop(0, tint(colour, (quiet ? 0.2 : 0.45) + 0.3 * level));
  g.addColorStop(1, tint(colour, 0));
  ctx.fillStyle = g;
  ctx.fillRect(0, 0, width, height);
  ctx.beginPath();
  for (let i = 0; i < 40; i++) {
    const a = (i / 40) * 2 * Math.PI;
    const k = r * (1 + wobble * (Math.sin(3 * a + t * 2.3) + Math.sin(5 * a - t * 3.1)) * 0.5);
    ctx.lineTo(cx + Math.cos(a) * k, cy + Math.sin(a) * k);
  }
  const spin = thinking ? t * 1.5 : -2.2;
  g = ctx.createRadialGradient(cx + Math.cos(spin) * r * 0.4, cy + Math.sin(spin) * r * 0.4, 0, cx, cy, r * 1.1);
  g.addColorStop(0, tint(thinking ? assistant : colour, 1, light));
  g.addColorStop(1, tint(colour, 1));
  ctx.fillStyle = g;
  ctx.fill();
}

/**
 * A painter drawing on `ctx` with a frame loop of `frames` (the page's requestAnimationFrame, or the
 * worker's): the same code on both sides.
 */
function loopPainter(
  ctx: CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D,
  frames: { request(callback: (now: number) => void): number; cancel(id: number): void },
  onFrame: () => void = () => {},
): Painter {
  let scene: Scene = { look: 'idle', kind: 'orb', colours: [], forced: false };
  let levels: [number, number] = [0, 0];
  let width = 0;
  let height = 0;
  let id = 0;
  let moving = false;
  const memory = { level: 0 };
  const frame = (now: number) => {
    id = 0;
    onFrame();
    paint(ctx, width, height, scene, levels, now / 1000, memory);
    if (moving) id = frames.request(frame);
  };
  return {
    scene: (next) => (scene = next),
    size: (w, h) => {
      ctx.canvas.width = width = w;
      ctx.canvas.height = height = h;
    },
    levels: (input, output) => (levels = [input, output]),
    run: (next) => {
      moving = next;
      if (moving) id ||= frames.request(frame);
      else {
        frames.cancel(id);
        id = 0;
        paint(ctx, width, height, scene, levels, 0, memory);
      }
    },
    dispose: () => {
      moving = false;
      frames.cancel(id);
    },
  };
}

/** In the worker: the canvas comes from the page, then scenes, sizes, levels and run/still. */
function runWorker(scope: {
  requestAnimationFrame?: (callback: (now: number) => void) => number;
  cancelAnimationFrame?: (id: number) => void;
}): void {
  let painter: Painter | undefined;
  let ctx: OffscreenCanvasRenderingContext2D | undefined;
  let frames = 0;
  // Workers have requestAnimationFrame where they have OffscreenCanvas (Chromium, Firefox, Safari 16.4+).
  const loop = {
    request: (callback: (now: number) => void) => scope.requestAnimationFrame!(callback),
    cancel: (id: number) => scope.cancelAnimationFrame!(id),
  };
  serveInWorker<ToWorker>(!!scope.requestAnimationFrame, (data) => {
    if (data.canvases) {
      ctx = data.canvases[0]!.getContext('2d')!;
      painter = loopPainter(ctx, loop, () => frames++);
    }
    if (!painter || !ctx) return;
    if (data.scene) painter.scene(data.scene);
    if (data.size) painter.size(...data.size);
    if (data.levels) painter.levels(...data.levels);
    if (data.run !== undefined) painter.run(data.run);
    if (data.ask) return { pixels: ctx.getImageData(0, 0, ctx.canvas.width || 1, ctx.canvas.height || 1), frames };
  });
}

// Loaded as the worker: draw what the page sends.
if (inWorker) runWorker(self as never);

/**
 * Starts the worker for `canvas`; resolves with a painter that sends it what to draw, or undefined
 * when the page should draw itself.
 */
async function workerPainter(canvas: HTMLCanvasElement): Promise<Painter | undefined> {
  const worker = await startDrawingWorker<ToWorker>(import.meta.url, /visualizer[^/]*\.(js|ts)(\?|#|$)/, [canvas]);
  return (
    worker && {
      scene: (scene) => worker.send({ scene }),
      size: (w, h) => worker.send({ size: [w, h] }),
      levels: (input, output) => worker.send({ levels: [input, output] }),
      run: (run) => worker.send({ run }),
      dispose: () => worker.dispose(),
      snapshot: () => worker.ask({}),
    }
  );
}

const visualizer: PartFactory = ({ html, css }, host) => {
  const el = host.element;
  const media = (q: string) => matchMedia(`(${q})`);
  const calm = media('prefers-reduced-motion: reduce');
  const forced = media('forced-colors: active');
  // The colour scheme needs no query of its own: what it changes, the colours' transition reports (below).
  const queries = [calm, forced];
  /** Turns any CSS colour into numbers (once per look change): canvas gradients need its alpha apart. */
  const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  const rgb = (colour: string): Rgb => {
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = colour;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data as unknown as number[];
    return [r!, g!, b!, a! / 255];
  };

  let canvas: HTMLCanvasElement | undefined;
  let painter: Painter | undefined;
  /** Bumped for each canvas: a worker that starts after its canvas went is dropped. */
  let generation = 0;
  let onScreen = false;
  let look = '';
  let kind = '';
  let size: [number, number] = [0, 0];

  const lookNow = () =>
    el.state === 'error'
      ? 'error'
      : !host.active()
        ? 'idle'
        : el.state !== 'connected'
          ? 'connecting'
          : el.muted && host.activity() !== 'assistant-speaking'
            ? 'muted'
            : host.activity();
  const moving = () => !!painter && onScreen && !document.hidden && !calm.matches && !resting(look);

  const scene = (): Scene => {
    const style = getComputedStyle(canvas!);
    const colours = [
      style.color,
      style.caretColor,
      style.accentColor,
      style.columnRuleColor,
      style.textDecorationColor,
    ];
    return { look, kind, colours: colours.map(rgb), forced: forced.matches };
  };

  /** The loop when something moves, else one still frame (on screen only). */
  const run = () => {
    if (!painter) return;
    painter.levels(el.inputLevel, el.outputLevel);
    // Stopped, a still frame is drawn (one, off screen too: cheaper than telling the cases apart).
    painter.run(moving());
  };
  const theme = () => {
    if (canvas && painter) painter.scene(scene());
    run();
  };
  const onLevels = () => painter?.levels(el.inputLevel, el.outputLevel);
  /** A colour's transition ended: it changed, whatever the cause. Read them again once for the five. */
  let recolouring: ReturnType<typeof setTimeout> | undefined;
  const recolour = () => {
    clearTimeout(recolouring);
    recolouring = setTimeout(theme);
  };

  const sized = new ResizeObserver(([entry]) => {
    const box = entry!.contentRect;
    size = [Math.round(box.width * devicePixelRatio), Math.round(box.height * devicePixelRatio)];
    painter?.size(...size);
    run();
  });
  const seen = new IntersectionObserver(([entry]) => {
    onScreen = entry!.isIntersecting;
    run();
  });
  const listen = (on: boolean) => {
    const how = on ? 'addEventListener' : 'removeEventListener';
    document[how]('visibilitychange', run);
    el[how]('realtime-levels', onLevels);
    canvas?.[how]('transitionend', recolour);
    for (const query of queries) query[how]('change', theme);
  };
  const detach = () => {
    sized.disconnect();
    seen.disconnect();
    listen(false);
    painter?.dispose();
    painter = canvas = undefined;
    onScreen = false;
    generation++;
  };
  /** A painter for the canvas: the worker's where it starts, else the page's own loop. */
  const attach = async (target: HTMLCanvasElement) => {
    const mine = ++generation;
    const drawer = await workerPainter(target);
    if (mine !== generation) return drawer?.dispose();
    painter =
      drawer ??
      loopPainter(target.getContext('2d')!, {
        request: (callback) => requestAnimationFrame(callback),
        cancel: (id) => cancelAnimationFrame(id),
      });
    target.dataset.drawnIn = drawer ? 'worker' : 'page';
    // For tests: the worker's pixels and frame count (the page can no longer read a transferred canvas).
    (target as HTMLCanvasElement & { visualizerSnapshot?: () => Promise<unknown> }).visualizerSnapshot = () =>
      drawer?.snapshot?.() ?? Promise.resolve(undefined);
    if (size[0]) painter.size(...size);
    theme();
  };
  /** After each render: the canvas it left (new, gone or the same) and the look now. */
  const sync = () => {
    const found = el.renderRoot.querySelector<HTMLCanvasElement>('canvas.visualizer') ?? undefined;
    if (found !== canvas) {
      detach();
      if ((canvas = found)) {
        look = lookNow();
        kind = el.visualizer;
        sized.observe(canvas);
        seen.observe(canvas);
        listen(true);
        void attach(canvas);
        return;
      }
    }
    // A theme or layout that changes the colours needs no read here: the colours' transition reports it
    // (recolour), and a read now would get the transition's first, old colours.
    if (!canvas || (look === lookNow() && kind === el.visualizer)) return;
    look = lookNow();
    kind = el.visualizer;
    theme();
  };

  return {
    styles: css`
      .visualizer {
        display: block;
        flex: none;
        inline-size: var(--realtime-voice-visualizer-size, 3rem);
        block-size: var(--realtime-voice-visualizer-size, 3rem);
        color: var(--realtime-voice-visualizer-user, var(--_listening, light-dark(#15803d, #4ade80)));
        caret-color: var(--realtime-voice-visualizer-assistant, var(--_accent));
        accent-color: var(--realtime-voice-visualizer-thinking, var(--_thinking, light-dark(#7c3aed, #c4b5fd)));
        column-rule-color: var(--realtime-voice-visualizer-error, var(--_danger));
        text-decoration-color: var(--realtime-voice-visualizer-muted, var(--_muted-text));
        /* Not to animate: a change of any of the five, from any cause, ends in a transitionend (recolour). Kept
           under prefers-reduced-motion (the core's styles turn transitions off there): 1 ms of colour is no motion. */
        transition-duration: 1ms !important;
        transition-property: color, caret-color, accent-color, column-rule-color, text-decoration-color !important;
      }
      :host([layout='floating']) .visualizer {
        inline-size: var(--realtime-voice-visualizer-size, 5rem);
        block-size: var(--realtime-voice-visualizer-size, 5rem);
      }
      @media (forced-colors: active) {
        .visualizer {
          forced-color-adjust: none;
          color: CanvasText;
          caret-color: Highlight;
          accent-color: Highlight;
          column-rule-color: CanvasText;
          text-decoration-color: GrayText;
        }
      }
    `,
    render: () =>
      el.visualizer === 'orb' || el.visualizer === 'bars'
        ? html`<canvas part="visualizer" class="visualizer" aria-hidden="true"></canvas>`
        : undefined,
    updated: sync,
    connected: () => sync(),
    disconnected: detach,
  };
};
export default visualizer;
