/**
 * The meters part (`realtime-voice.meters.js`): two level bars and `realtime-levels`, from one shared
 * AudioContext. Each bar's fill is a canvas drawn in a worker where the browser can (offscreen.ts: the
 * worker is this same file), so a moving level costs the page's main thread a message, not a frame of
 * its own (each redraw of a fill on the page was style, pre-paint and commit: most of what the meters
 * cost, ~1 point of a core in the bench's conversation). Where there is no worker, the page moves the
 * fill itself (a `transform`), as fewer redraws.
 */
import { registerLevelsProcessor } from '../audio/levels.js';
import { LevelsController } from '../ui/levels-controller.js';
import type { MetersPart, PartFactory } from './kit.js';
import { inWorker, serveInWorker, startDrawingWorker, type DrawingWorker } from './offscreen.js';

/** Two ticks of the levels controller (66 ms) less a margin for a late timer. */
const MIN_REDRAW_MS = 100;

/**
 * What the page tells the bars' worker (one or more fields each); asked, it answers each bar's middle row of
 * pixels (RGBA).
 */
interface ToMeters {
  size?: [number, number];
  colour?: string;
  rtl?: boolean;
  levels?: [number, number];
}

/** In the worker: each bar's fill is its level of the width, from the start side (the right in RTL). */
function drawInWorker(): void {
  let bars: OffscreenCanvasRenderingContext2D[] = [];
  let colour = '';
  let rtl = false;
  let levels = [0, 0];
  serveInWorker<ToMeters>(true, (data) => {
    if (data.canvases) bars = data.canvases.map((canvas) => canvas.getContext('2d')!);
    if (data.size) for (const { canvas } of bars) [canvas.width, canvas.height] = data.size;
    colour = data.colour ?? colour;
    rtl = data.rtl ?? rtl;
    levels = data.levels ?? levels;
    return bars.map((bar, i) => {
      const { width, height } = bar.canvas;
      const filled = Math.round(width * levels[i]!);
      bar.clearRect(0, 0, width, height);
      bar.fillStyle = colour;
      bar.fillRect(rtl ? width - filled : 0, 0, filled, height);
      // For tests (asked): the bar's middle row of pixels (RGBA), what it shows.
      return data.ask && width && height ? [...bar.getImageData(0, height >> 1, width, 1).data] : [];
    });
  });
}

// Loaded as the worker: draw the bars the page sends.
if (inWorker) drawInWorker();
// Loaded as the AudioWorklet: measure the levels on the audio thread.
registerLevelsProcessor();

/** This file as itself (not inlined into the one-file build): what its worker and its worklet load. */
const OWN_FILE = /meters[^/]*\.(js|ts)(\?|#|$)/;

const meters: PartFactory<MetersPart> = ({ html, css }, host) => {
  const el = host.element;
  /** Levels are measured for the bars and for the visualizer part, which draws them. */
  const wanted = () => el.meters || el.visualizer === 'orb' || el.visualizer === 'bars';
  /** The levels the bars show, and when they were last redrawn. */
  let shown = [0, 0];
  let drawn = 0;
  /** The bars' fills of this call, and the worker that draws them (undefined: the page does). */
  let fills: HTMLCanvasElement[] = [];
  let worker: DrawingWorker<ToMeters> | undefined;
  /** Bumped for each set of fills: a worker that starts after its fills went is dropped. */
  let generation = 0;
  let size: [number, number] = [0, 0];
  /** When the fills' colour and direction were last read (and sent to the worker). */
  let looked = 0;
  /**
   * Without the worker, the page redraws the bars only for a move one can see: 1/25 of the bar (2.5 px of its 4rem), and not more
   * than about 8 times a second, except a bar leaving or reaching rest (the start and end of speech),
   * drawn at once. Each redraw costs the page a frame (style, pre-paint, commit: 1.1 ms of main
   * thread each, traced, most of what the meters cost), and speech moves the level visibly at nearly
   * every tick: at most every other tick cuts the frames by 40 % (the bench's levels: 206 to 128 in 24 s).
   * The fill's own `transform` is set, not a custom property its track passes down: the browser then
   * restyles one element, not a subtree resolving a variable (style recalc traced: 52 to 25 ms in 20 s;
   * the 30 s conversation's main thread 2.26 to 1.89 %, six runs each). A CSS transition to smooth
   * fewer redraws was tried: it asks for a frame per step on the main thread, 3 times the frames.
   */
  const draw = (input: number, output: number) => {
    const levels = [input, output];
    if (worker) {
      // Off the main thread: every change goes, no frame of the page's is asked for.
      if (input !== shown[0] || output !== shown[1]) worker.send({ levels: [input, output] });
      shown = levels;
      // Nothing tells this part of a new look (the theme attribute, the page's own dark-mode class on <html>,
      // `dir`, forced colours, the OS's colour scheme): it is read again each second while the levels move.
      if (performance.now() - looked >= 1000) look();
    } else {
      latest = levels;
      if (!later) drawOnPage();
    }
    if (host.active()) host.emit('realtime-levels', { input, output });
  };
  /** The levels last measured, for the page's drawing, and its redraw put off to respect the rate. */
  let latest = [0, 0];
  let later: ReturnType<typeof setTimeout> | undefined;
  const drawOnPage = () => {
    later = undefined;
    const levels = latest;
    const since = performance.now() - drawn;
    if (!levels.some((level, i) => level !== shown[i] && (!level || Math.abs(level - shown[i]!) >= 0.04))) return;
    // Too soon after the last redraw: put off, not dropped, as the levels come only when they change, and
    // the last of a move may be the one that stays.
    if (!levels.some((level, i) => !level !== !shown[i]) && since < MIN_REDRAW_MS)
      return void (later = setTimeout(drawOnPage, MIN_REDRAW_MS - since));
    shown = levels;
    drawn = performance.now();
    el.renderRoot.querySelectorAll<HTMLElement>('.fill').forEach((fill, i) => {
      const transform = `scaleX(${levels[i]})`;
      if (fill.style.transform !== transform) fill.style.transform = transform;
    });
  };
  const levels = new LevelsController(
    el,
    el.session,
    draw,
    OWN_FILE.test(import.meta.url) ? import.meta.url : undefined,
  );

  /** The fill's colour and the direction: read when the fills come, then each second (not each tick). */
  const look = () => {
    const style = getComputedStyle(fills[0]!);
    looked = performance.now();
    worker?.send({ colour: style.color, rtl: style.direction === 'rtl' });
  };
  const sized = new ResizeObserver(([entry]) => {
    const box = entry!.contentRect;
    size = [Math.round(box.width * devicePixelRatio), Math.round(box.height * devicePixelRatio)];
    worker?.send({ size });
  });
  const detach = () => {
    clearTimeout(later);
    later = undefined;
    worker?.dispose();
    worker = undefined;
    sized.disconnect();
    fills = [];
    generation++;
  };
  /** The worker for the fills of this call, where it starts; until it has, and without it, the page draws. */
  const attach = async (canvases: HTMLCanvasElement[]) => {
    const mine = ++generation;
    const started = await startDrawingWorker<ToMeters>(import.meta.url, OWN_FILE, canvases);
    if (mine !== generation) return started?.dispose();
    if (!started) return;
    worker = started;
    for (const canvas of canvases) {
      canvas.dataset.drawnIn = 'worker';
      canvas.style.transform = ''; // the page's drawing until now
    }
    look();
    shown = [levels.input, levels.output];
    worker.send({ size, levels: [levels.input, levels.output] });
  };
  /** After each render: the fills it left (new or gone). */
  const sync = () => {
    const found = [...el.renderRoot.querySelectorAll<HTMLCanvasElement>('canvas.fill')];
    if (found[0] !== fills[0]) {
      detach();
      fills = found;
      if (!found.length) return;
      sized.observe(found[0]!);
      // For tests and screenshots: draws these levels (or the last ones) and resolves once they are drawn, with
      // each bar's middle row of pixels where the worker draws (the page cannot read a transferred canvas).
      Object.assign(found[0]!.parentElement!.parentElement!, {
        metersDraw: (input?: number, output?: number) => {
          if (input !== undefined) draw(input, output ?? 0);
          return worker?.ask({}) ?? Promise.resolve(undefined);
        },
      });
      void attach(found);
    }
  };
  // Loaded during a call (the attribute came late, or the file did): the page had its click already,
  // so the shared AudioContext may run.
  if (wanted() && host.active()) levels.start();
  return {
    get input() {
      return levels.input;
    },
    get output() {
      return levels.output;
    },
    styles: css`
      .meters {
        display: inline-flex;
        flex-direction: column;
        gap: 3px;
        inline-size: 4rem;
      }
      .meter {
        display: block;
        block-size: 6px;
        border-radius: 3px;
        background: color-mix(in srgb, var(--_accent) 20%, transparent);
        overflow: hidden;
      }
      /* A transform, not a width: the browser only composites it (no layout or paint at 15 Hz). Set by draw(). */
      .fill {
        display: block;
        inline-size: 100%;
        block-size: 100%;
        color: var(--realtime-voice-meter, var(--_accent));
        background: currentColor;
        transform: scaleX(0);
        transform-origin: left;
        will-change: transform;
      }
      .fill:dir(rtl) {
        transform-origin: right;
      }
      /* Drawn by the worker: the canvas is the whole bar, its pixels the fill. */
      .fill[data-drawn-in='worker'] {
        background: none;
        transform: none;
        will-change: auto;
      }
    `,
    /** Decorative (hidden from assistive technology): the status line says who is talking. */
    render: () =>
      el.meters && host.active()
        ? html`<div part="meters" class="meters" aria-hidden="true">
            <span part="meter input" class="meter"><canvas class="fill"></canvas></span>
            <span part="meter output" class="meter"><canvas class="fill"></canvas></span>
          </div>`
        : undefined,
    starting: () => wanted() && levels.start(),
    state: (next) => {
      if (!['connecting', 'connected', 'reconnecting'].includes(next)) levels.stop();
    },
    updated: (changed) => {
      if ((changed.has('meters') || changed.has('visualizer')) && wanted() && host.active()) levels.start();
      sync();
    },
    connected: () => sync(),
    disconnected: detach,
  };
};
export default meters;
