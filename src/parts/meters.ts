/** The meters part (`realtime-voice.meters.js`): two level bars and `realtime-levels`, from one shared AudioContext. */
import { LevelsController } from '../ui/levels-controller.js';
import type { MetersPart, PartFactory } from './kit.js';

/** Two ticks of the levels controller (66 ms) less a margin for a late timer. */
const MIN_REDRAW_MS = 100;

const meters: PartFactory<MetersPart> = ({ html, css }, host) => {
  const el = host.element;
  /** Levels are measured for the bars and for the visualizer part, which draws them. */
  const wanted = () => el.meters || el.visualizer === 'orb' || el.visualizer === 'bars';
  /** The levels the bars show, and when they were last redrawn. */
  let shown = [0, 0];
  let drawn = 0;
  /**
   * Redraws the bars only for a move one can see: 1/25 of the bar (2.5 px of its 4rem), and not more
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
    const now = performance.now();
    if (
      levels.some((level, i) => level !== shown[i] && (!level || Math.abs(level - shown[i]!) >= 0.04)) &&
      (levels.some((level, i) => !level !== !shown[i]) || now - drawn >= MIN_REDRAW_MS)
    ) {
      shown = levels;
      drawn = now;
      el.renderRoot.querySelectorAll<HTMLElement>('.fill').forEach((fill, i) => {
        const transform = `scaleX(${levels[i]})`;
        if (fill.style.transform !== transform) fill.style.transform = transform;
      });
    }
    if (host.active()) host.emit('realtime-levels', { input, output });
  };
  const levels = new LevelsController(el, el.session, draw);
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
        block-size: 100%;
        background: var(--realtime-voice-meter, var(--_accent));
        transform: scaleX(0);
        transform-origin: left;
        will-change: transform;
      }
      .fill:dir(rtl) {
        transform-origin: right;
      }
    `,
    /** Decorative (hidden from assistive technology): the status line says who is talking. */
    render: () =>
      el.meters && host.active()
        ? html`<div part="meters" class="meters" aria-hidden="true">
            <span part="meter input" class="meter"><span class="fill"></span></span>
            <span part="meter output" class="meter"><span class="fill"></span></span>
          </div>`
        : undefined,
    starting: () => wanted() && levels.start(),
    state: (next) => {
      if (!['connecting', 'connected', 'reconnecting'].includes(next)) levels.stop();
    },
    updated: (changed) => {
      if ((changed.has('meters') || changed.has('visualizer')) && wanted() && host.active()) levels.start();
    },
  };
};
export default meters;
