/**
 * The visualizer part (`realtime-voice.visualizer.js`), asked for by `visualizer="orb"` or `"bars"`: a
 * decorative canvas (`part="visualizer"`, hidden from assistive technology: the status line says who
 * is talking) that draws the meters part's levels, the user's (`inputLevel`) and the assistant's
 * (`outputLevel`), with a look for each state: idle, connecting, listening, user speaking, thinking,
 * assistant speaking, muted, error.
 *
 * One requestAnimationFrame loop, which runs only while a call is active and the canvas is on screen
 * (IntersectionObserver) in a visible tab, and only for the looks that move (not idle, muted, error);
 * no layout is read in a frame: the backing size comes from a ResizeObserver, the colours are read
 * when the look or the theme changes. Under `prefers-reduced-motion: reduce` there is no loop: a
 * still frame is drawn when the look changes.
 *
 * Colours: `--realtime-voice-visualizer-user`, `-assistant`, `-error`, `-muted` (any CSS colour),
 * through the canvas's own `color` properties so that `light-dark()` and system colours resolve.
 */
import type { PartFactory } from './kit.js';

type Rgb = [number, number, number, number];

const visualizer: PartFactory = ({ html, css }, host) => {
  const el = host.element;
  const media = (q: string) => matchMedia(`(${q})`);
  const calm = media('prefers-reduced-motion: reduce');
  const forced = media('forced-colors: active');
  const queries = [calm, forced, media('prefers-color-scheme: dark')];
  /** Turns any CSS colour into numbers (once per look change): canvas gradients need its alpha apart. */
  const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
  const rgb = (colour: string): Rgb => {
    probe.clearRect(0, 0, 1, 1);
    probe.fillStyle = colour;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data as unknown as number[];
    return [r!, g!, b!, a! / 255];
  };
  /** The colour at `alpha`, `light` of the way to white. */
  const tint = ([r, g, b, a]: Rgb, alpha: number, light = 0) =>
    `rgba(${r + (255 - r) * light},${g + (255 - g) * light},${b + (255 - b) * light},${a * alpha})`;

  let canvas: HTMLCanvasElement | undefined;
  let ctx: CanvasRenderingContext2D | null = null;
  let raf = 0;
  let onScreen = false;
  let look = '';
  let kind = '';
  let colours: Rgb[] = [];
  let level = 0;
  let width = 0;
  let height = 0;

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
  /** Looks that do not move (and draw no level). */
  const resting = () => ['idle', 'muted', 'error'].includes(look);
  const moving = () => !!ctx && onScreen && !document.hidden && !calm.matches && !resting();

  const readColours = () => {
    const style = getComputedStyle(canvas!);
    colours = [style.color, style.caretColor, style.accentColor, style.columnRuleColor, style.textDecorationColor].map(
      rgb,
    );
  };

  /** One picture at time `t` (seconds; 0 for a still frame). */
  const draw = (t: number) => {
    if (!ctx || !width) return;
    const [user, assistant, ponder, danger, grey] = colours as Rgb[] as [Rgb, Rgb, Rgb, Rgb, Rgb];
    const speaking = look === 'assistant-speaking';
    const thinking = look === 'thinking';
    const colour = speaking
      ? assistant
      : thinking
        ? ponder
        : look === 'error'
          ? danger
          : look === 'muted'
            ? grey
            : user;
    const target = resting() ? 0 : speaking ? el.outputLevel : el.inputLevel;
    level = t ? level + (target - level) * 0.3 : target;
    const still = !t || look === 'idle';
    const light = forced.matches ? 0 : 0.55;
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
        const h = Math.max(
          bar,
          height * Math.min(1, 0.12 + wave * (still ? 1 : 0.85 + 0.15 * Math.sin(t * 9 + i * 2))),
        );
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
      side *
      ((look === 'muted' ? 0.4 : quiet ? 0.44 : 0.52) + 0.3 * level) *
      (still ? 1 : 1 + 0.03 * Math.sin(t * 1.6));
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
  };

  const frame = (now: number) => {
    raf = 0;
    draw(now / 1000);
    if (moving()) raf = requestAnimationFrame(frame);
  };
  /** The loop when something moves, else one still frame (on screen only). */
  const run = () => {
    if (moving()) raf ||= requestAnimationFrame(frame);
    else {
      cancelAnimationFrame(raf);
      raf = 0;
      if (onScreen) draw(0);
    }
  };
  const theme = () => {
    if (canvas) readColours();
    run();
  };

  const sized = new ResizeObserver(([entry]) => {
    const { target, contentRect: box } = entry!;
    (target as HTMLCanvasElement).width = width = Math.round(box.width * devicePixelRatio);
    (target as HTMLCanvasElement).height = height = Math.round(box.height * devicePixelRatio);
    run();
  });
  const seen = new IntersectionObserver(([entry]) => {
    onScreen = entry!.isIntersecting;
    run();
  });
  const listen = (on: boolean) => {
    const how = on ? 'addEventListener' : 'removeEventListener';
    document[how]('visibilitychange', run);
    for (const query of queries) query[how]('change', theme);
  };
  const detach = () => {
    sized.disconnect();
    seen.disconnect();
    listen(false);
    canvas = undefined;
    ctx = null;
    onScreen = false;
    run();
  };
  /** After each render: the canvas it left (new, gone or the same), the look now, and the theme (colours). */
  const sync = (changed?: Map<PropertyKey, unknown>) => {
    const found = el.renderRoot.querySelector<HTMLCanvasElement>('canvas.visualizer') ?? undefined;
    if (found !== canvas) {
      detach();
      if ((canvas = found)) {
        ctx = canvas.getContext('2d');
        sized.observe(canvas);
        seen.observe(canvas);
        listen(true);
        look = '';
      }
    }
    if (!canvas || (look === lookNow() && kind === el.visualizer && !changed?.has('theme') && !changed?.has('layout')))
      return;
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
