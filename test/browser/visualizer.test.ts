import { assert, expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import {
  countAudioContexts,
  part,
  sleep,
  tokenUrl,
  until,
  useFakeService,
  voiceFixture,
  type Attrs,
} from '../support/harness.js';

/** The visualizer files this page has fetched (src/parts/visualizer.ts here; dist/realtime-voice.visualizer.js built). */
function visualizerFiles(): string[] {
  return performance
    .getEntriesByType('resource')
    .map((e) => new URL(e.name).pathname)
    .filter((path) => /(parts\/|realtime-voice\.)visualizer\.[jt]s$/.test(path));
}

async function visualizerFixture(kind: string, attrs: Attrs = {}): Promise<RealtimeVoice> {
  const el = await voiceFixture(attrs);
  el.setAttribute('visualizer', kind);
  await el.updateComplete;
  return el;
}

const canvasOf = (el: RealtimeVoice) => part<HTMLCanvasElement>(el, 'visualizer');

interface Picture {
  /** Share of the canvas covered (alpha above half). */
  area: number;
  /** Mean alpha, 0 to 1. */
  alpha: number;
  /** Alpha-weighted mean colour. */
  r: number;
  g: number;
  b: number;
  data: Uint8ClampedArray;
}

/** What the canvas shows now, read back from its pixels. */
function picture(el: RealtimeVoice): Picture {
  const canvas = canvasOf(el)!;
  const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  let area = 0;
  let alpha = 0;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]!;
    if (a > 128) area++;
    alpha += a;
    r += data[i]! * a;
    g += data[i + 1]! * a;
    b += data[i + 2]! * a;
  }
  const pixels = data.length / 4;
  return { area: area / pixels, alpha: alpha / pixels / 255, r: r / alpha, g: g / alpha, b: b / alpha, data };
}

/** How far apart two pictures look: colour (0..765), coverage and opacity, on one scale. */
function distance(a: Picture, b: Picture): number {
  return (
    Math.abs(a.r - b.r) +
    Math.abs(a.g - b.g) +
    Math.abs(a.b - b.b) +
    400 * Math.abs(a.area - b.area) +
    400 * Math.abs(a.alpha - b.alpha)
  );
}

/** How many bytes of two pictures of the same size differ. */
function changed(a: Picture, b: Picture): number {
  let n = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) n++;
  return n;
}

/** Counts the animation frames the page asks for (the visualizer is the only part that asks). */
function countFrames(): { readonly count: number; reset(): void; restore(): void } {
  const original = window.requestAnimationFrame;
  let count = 0;
  window.requestAnimationFrame = (callback) => {
    count++;
    return original.call(window, callback);
  };
  return {
    get count() {
      return count;
    },
    reset: () => (count = 0),
    restore: () => (window.requestAnimationFrame = original),
  };
}

async function framesIn(frames: ReturnType<typeof countFrames>, ms: number): Promise<number> {
  frames.reset();
  await sleep(ms);
  return frames.count;
}

/** Levels the test sets, in place of the microphone's and the service's (the element's own properties shadowed). */
/**
 * The element's levels, set by the test: each change fires `realtime-levels`, as the meters do when a level
 * changes (they fire nothing while the call's own levels hold still, so the visualizer hears of these).
 */
function fakeLevels(el: RealtimeVoice): { input: number; output: number } {
  const levels = { input: 0, output: 0 };
  Object.defineProperty(el, 'inputLevel', { configurable: true, get: () => levels.input });
  Object.defineProperty(el, 'outputLevel', { configurable: true, get: () => levels.output });
  const set = (side: 'input' | 'output', level: number) => {
    levels[side] = level;
    el.dispatchEvent(new CustomEvent('realtime-levels', { detail: { ...levels } }));
  };
  return {
    get input() {
      return levels.input;
    },
    set input(level) {
      set('input', level);
    },
    get output() {
      return levels.output;
    },
    set output(level) {
      set('output', level);
    },
  };
}

/** An idle orb, then a class on <html> that sets its colour: the orb is redrawn in it. */
async function followsSiteTheme(): Promise<void> {
  const sheet = document.createElement('style');
  sheet.textContent = 'html.site-dark { --realtime-voice-visualizer-user: rgb(255, 0, 0); }';
  document.head.append(sheet);
  const redness = (p: ReturnType<typeof picture>) => p.r - Math.max(p.g, p.b);
  try {
    const el = await visualizerFixture('orb');
    await drawn(el);
    expect(redness(picture(el)), 'the default colour first').to.be.below(100);
    document.documentElement.classList.add('site-dark');
    await until(() => redness(picture(el)) > 100, 'the orb redrawn red');
  } finally {
    document.documentElement.classList.remove('site-dark');
    sheet.remove();
  }
}

const drawn = (el: RealtimeVoice) => until(() => !!canvasOf(el)?.width && picture(el).alpha > 0.01, 'a picture');

/** Makes the page draw itself (no OffscreenCanvas hand-over), as where the browser cannot; undoes it. */
function drawOnThePage(): () => void {
  const proto = HTMLCanvasElement.prototype as { transferControlToOffscreen?: unknown };
  const original = Object.getOwnPropertyDescriptor(proto, 'transferControlToOffscreen');
  delete proto.transferControlToOffscreen;
  return () => original && Object.defineProperty(proto, 'transferControlToOffscreen', original);
}

// The drawing itself, its looks and its loop, read back from the page's own canvas (the fallback path);
// 'visualizer in a worker' below runs the same part the way browsers with OffscreenCanvas do.
describe('visualizer', () => {
  const fake = useFakeService();
  let frames: ReturnType<typeof countFrames>;
  let restore: () => void;
  beforeEach(() => {
    frames = countFrames();
    restore = drawOnThePage();
  });
  afterEach(() => {
    frames.restore();
    restore();
  });

  // First in this file: the page has fetched no visualizer yet.
  it('no visualizer attribute, or "none": its file is not fetched and nothing is drawn; "orb" fetches it', async () => {
    const plain = await voiceFixture({ 'token-url': tokenUrl().url });
    const none = await visualizerFixture('none', { 'token-url': tokenUrl().url });
    await sleep(100);
    expect(visualizerFiles(), 'no visualizer file').to.deep.equal([]);
    expect(canvasOf(plain)).to.equal(null);
    expect(canvasOf(none)).to.equal(null);
    expect(frames.count).to.equal(0);
    none.setAttribute('visualizer', 'orb');
    await none.updateComplete;
    expect(visualizerFiles()).to.have.length(1);
    assert.exists(canvasOf(none), 'the orb');
    none.setAttribute('visualizer', 'none');
    await none.updateComplete;
    expect(canvasOf(none), 'gone again with "none"').to.equal(null);
  });

  it('idle (no call): a still orb on a decorative canvas part, and no frame loop', async () => {
    const el = await visualizerFixture('orb');
    const canvas = canvasOf(el)!;
    expect(canvas.tagName).to.equal('CANVAS');
    expect(canvas.getAttribute('aria-hidden')).to.equal('true');
    await drawn(el);
    expect(canvas.width, 'backing store sized from the CSS box × devicePixelRatio').to.equal(
      Math.round(canvas.getBoundingClientRect().width * devicePixelRatio),
    );
    const first = picture(el);
    expect(await framesIn(frames, 300), 'no loop while idle').to.equal(0);
    expect(changed(first, picture(el)), 'still').to.equal(0);
  });

  it('a custom property sets the drawn colour', async () => {
    const plain = await visualizerFixture('orb');
    await drawn(plain);
    const red = await voiceFixture();
    red.style.setProperty('--realtime-voice-visualizer-user', 'rgb(255, 0, 0)');
    red.setAttribute('visualizer', 'orb');
    await red.updateComplete;
    await drawn(red);
    const p = picture(red);
    expect(p.r - Math.max(p.g, p.b), `red drawn (${p.r}, ${p.g}, ${p.b})`).to.be.above(100);
    expect(distance(p, picture(plain)), 'unlike the default colour').to.be.above(100);
  });

  it("idle, the orb takes the site's own theme switch (a class on <html>) with no state change", () =>
    followsSiteTheme());

  // The core's styles turn transitions off under reduced motion; the colours' own 1 ms one must stay.
  it("idle under prefers-reduced-motion too, the orb takes the site's own theme switch", async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      await followsSiteTheme();
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('orb in a call: drawn in a frame loop, its pixels move, and it grows with the level', async () => {
    const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
    const levels = fakeLevels(el);
    await el.start();
    await el.updateComplete;
    await drawn(el);
    expect(await framesIn(frames, 500), 'frames in 500 ms').to.be.above(10);
    await sleep(200);
    const quiet = picture(el);
    await sleep(100);
    expect(changed(quiet, picture(el)), 'the shape moves').to.be.above(0);
    levels.input = 1;
    await sleep(300);
    const loud = picture(el);
    expect(loud.area, `loud ${loud.area} vs quiet ${quiet.area}`).to.be.above(quiet.area * 1.4);
    levels.input = 0;
    await until(() => picture(el).area < loud.area * 0.8, 'smaller again');
    el.stop();
  });

  it("bars: their height follows the user's level, and the assistant's while it speaks", async () => {
    const el = await visualizerFixture('bars', { 'token-url': tokenUrl().url });
    const levels = fakeLevels(el);
    await el.start();
    await el.updateComplete;
    await drawn(el);
    const low = picture(el);
    levels.input = 1;
    await sleep(300);
    const high = picture(el);
    expect(high.area, `user loud ${high.area} vs silent ${low.area}`).to.be.above(low.area * 2);
    expect(high.g - high.r, 'the default user colour (green)').to.be.above(40);
    // Colours are read when the state changes: a property set now shows with the assistant's turn.
    el.style.setProperty('--realtime-voice-visualizer-assistant', 'rgb(255, 0, 0)');
    const call = fake.service.lastCall!;
    await call.channel();
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await until(() => el.shadowRoot!.querySelector('[part="interrupt-button"]') !== null, 'assistant speaking');
    await sleep(300);
    expect(picture(el).area, 'the assistant is silent: low bars, whatever the user does').to.be.below(high.area / 2);
    levels.output = 1;
    await sleep(300);
    const speaking = picture(el);
    expect(speaking.area, 'the assistant loud').to.be.above(high.area * 0.8);
    expect(speaking.r - Math.max(speaking.g, speaking.b), 'in the assistant colour just set').to.be.above(150);
    el.stop();
  });

  it('each state looks different: idle, listening, user speaking, thinking, assistant speaking, muted, error', async () => {
    const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
    const levels = fakeLevels(el);
    levels.input = levels.output = 0.3;
    await drawn(el);
    const looks: Record<string, Picture> = { idle: picture(el) };
    await el.start();
    const call = fake.service.lastCall!;
    await call.channel();
    const look = async (name: string) => {
      await el.updateComplete;
      await sleep(250);
      looks[name] = picture(el);
    };
    await look('listening');
    call.emit({ type: 'input_audio_buffer.speech_started', item_id: 'u1', audio_start_ms: 0 });
    await look('user-speaking');
    call.emit({ type: 'input_audio_buffer.speech_stopped', item_id: 'u1', audio_end_ms: 900 });
    await look('thinking');
    call.emit({ type: 'output_audio_buffer.started', response_id: 'r1' });
    await look('assistant-speaking');
    call.emit({ type: 'output_audio_buffer.stopped', response_id: 'r1' });
    el.muted = true;
    await look('muted');
    el.stop();
    const failed = await visualizerFixture('orb', { 'token-url': tokenUrl({ status: 404 }).url });
    expect(await failed.start()).to.equal(false);
    await failed.updateComplete;
    await drawn(failed);
    looks.error = picture(failed);
    const names = Object.keys(looks);
    expect(names).to.have.length(7);
    for (const a of names)
      for (const b of names) if (a < b) expect(distance(looks[a]!, looks[b]!), `${a} vs ${b}`).to.be.above(20);
    const [muted, speaking] = [looks.muted!, looks['assistant-speaking']!];
    expect(muted.alpha, 'muted is dimmer').to.be.below(speaking.alpha);
  });

  it('no frames while the canvas is hidden (display: none) or scrolled out of view; drawing resumes when shown', async () => {
    const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
    await el.start();
    await el.updateComplete;
    await drawn(el);
    expect(await framesIn(frames, 400), 'shown').to.be.above(8);
    el.style.display = 'none';
    await sleep(150);
    expect(await framesIn(frames, 400), 'display: none').to.equal(0);
    el.style.display = '';
    await sleep(150);
    expect(await framesIn(frames, 400), 'shown again').to.be.above(8);
    el.style.position = 'relative';
    el.style.top = '5000px';
    await sleep(150);
    expect(await framesIn(frames, 400), 'out of view').to.equal(0);
    el.style.top = '';
    await sleep(150);
    expect(await framesIn(frames, 400), 'in view again').to.be.above(8);
    el.stop();
  });

  it('under prefers-reduced-motion: no frame loop, a still picture, drawn again when the state changes', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
      const levels = fakeLevels(el);
      levels.input = 0.5;
      await el.start();
      await el.updateComplete;
      await drawn(el);
      await sleep(100);
      const listening = picture(el);
      expect(await framesIn(frames, 500), 'no loop').to.equal(0);
      levels.input = 1;
      await sleep(300);
      expect(changed(listening, picture(el)), 'still: the level alone does not redraw').to.equal(0);
      el.muted = true;
      await el.updateComplete;
      expect(distance(listening, picture(el)), 'muted drawn at once').to.be.above(20);
      expect(frames.count, 'still no loop').to.equal(0);
      el.stop();
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it("after stop() and on removal the loop stops, and the meters part's AudioContext is released", async () => {
    const counter = countAudioContexts();
    try {
      const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
      const before = counter.created.length;
      await el.start();
      const shared = counter.created[before]!;
      assert.exists(shared, "the meters part's context");
      await drawn(el);
      expect(await framesIn(frames, 300), 'in the call').to.be.above(5);
      el.stop();
      await el.updateComplete;
      expect(await framesIn(frames, 300), 'after stop()').to.equal(0);
      await until(() => shared.state === 'closed', 'the shared context closed');
      assert.exists(canvasOf(el), 'the idle orb stays');

      await el.start();
      await el.updateComplete;
      expect(await framesIn(frames, 300), 'a second call').to.be.above(5);
      el.remove();
      expect(await framesIn(frames, 300), 'removed').to.equal(0);
    } finally {
      counter.restore();
    }
  });
});

interface Snapshot {
  pixels: ImageData;
  frames: number;
}

/** The worker's picture and frame count (the page cannot read a canvas it handed over). */
function snapshot(el: RealtimeVoice): Promise<Snapshot> {
  const canvas = canvasOf(el) as HTMLCanvasElement & { visualizerSnapshot(): Promise<Snapshot | undefined> };
  return canvas.visualizerSnapshot().then((shot) => {
    if (!shot) throw new Error('the canvas is not drawn in a worker');
    return shot;
  });
}

const alphaOf = ({ data }: ImageData) => {
  let sum = 0;
  for (let i = 3; i < data.length; i += 4) sum += data[i]!;
  return sum / (data.length / 4) / 255;
};

describe('visualizer in a worker (OffscreenCanvas)', () => {
  const fake = useFakeService();
  let frames: ReturnType<typeof countFrames>;
  beforeEach(() => (frames = countFrames()));
  afterEach(() => frames.restore());

  it('idle: the still orb is drawn in a worker from this same file, and the page runs no frame loop', async () => {
    const el = await visualizerFixture('orb');
    await until(() => canvasOf(el)?.dataset.drawnIn !== undefined, 'a painter chosen');
    expect(canvasOf(el)!.dataset.drawnIn).to.equal('worker');
    let shot = await snapshot(el);
    for (let i = 0; i < 20 && alphaOf(shot.pixels) < 0.01; i++) {
      await sleep(50);
      shot = await snapshot(el);
    }
    expect(alphaOf(shot.pixels), 'a picture').to.be.above(0.01);
    expect(shot.pixels.width).to.equal(Math.round(canvasOf(el)!.getBoundingClientRect().width * devicePixelRatio));
    const before = shot.frames;
    await sleep(300);
    expect((await snapshot(el)).frames, 'no loop while idle').to.equal(before);
    expect(frames.count, 'nothing on the page').to.equal(0);
  });

  it('in a call the worker loops and the page does not; hidden, and after stop(), the worker stops too', async () => {
    const el = await visualizerFixture('orb', { 'token-url': tokenUrl().url });
    await until(() => canvasOf(el)?.dataset.drawnIn === 'worker', 'the worker');
    await el.start();
    await el.updateComplete;
    await fake.service.lastCall!.channel();
    const loops = async (ms: number) => {
      const start = (await snapshot(el)).frames;
      await sleep(ms);
      return (await snapshot(el)).frames - start;
    };
    expect(await loops(400), 'the worker draws frames').to.be.above(8);
    expect(frames.count, 'the page asked for none').to.equal(0);
    el.style.display = 'none';
    await sleep(150);
    expect(await loops(400), 'display: none').to.equal(0);
    el.style.display = '';
    await sleep(150);
    expect(await loops(400), 'shown again').to.be.above(8);
    el.stop();
    await el.updateComplete;
    await sleep(100);
    expect(await loops(300), 'after stop()').to.equal(0);
    el.remove();
  });
});

/** Records the workers the page starts and ends; `make` stands in for the browser's Worker when given. */
function watchWorkers(make?: (url: string | URL, options?: WorkerOptions) => Worker): {
  started: Worker[];
  ended: Set<Worker>;
  restore(): void;
} {
  const Original = window.Worker;
  const started: Worker[] = [];
  const ended = new Set<Worker>();
  function Watched(url: string | URL, options?: WorkerOptions): Worker {
    const worker = make ? make(url, options) : new Original(url, options);
    const terminate = worker.terminate.bind(worker);
    worker.terminate = () => {
      ended.add(worker);
      terminate();
    };
    started.push(worker);
    return worker;
  }
  window.Worker = Watched as unknown as typeof Worker;
  return { started, ended, restore: () => (window.Worker = Original) };
}

/** A worker that starts but never says it is ready (as one stuck loading). */
const silentWorker = (): Worker =>
  Object.assign(new EventTarget(), {
    onmessage: null,
    onerror: null,
    onmessageerror: null,
    postMessage: () => {},
    terminate: () => {},
  }) as unknown as Worker;

describe('visualizer: its worker ends with its canvas, and a worker that does not start leaves the page drawing', () => {
  let workers: ReturnType<typeof watchWorkers> | undefined;
  afterEach(() => workers?.restore());

  it('the canvas gone ("none") or the element removed: its worker is terminated', async () => {
    workers = watchWorkers();
    const el = await visualizerFixture('orb');
    await until(() => canvasOf(el)?.dataset.drawnIn === 'worker', 'the worker');
    const [first] = workers.started;
    expect(workers.started, 'one worker for the canvas').to.have.length(1);
    expect(workers.ended.has(first!), 'running while drawn').to.equal(false);
    el.setAttribute('visualizer', 'none');
    await el.updateComplete;
    expect(workers.ended.has(first!), 'ended with its canvas').to.equal(true);
    el.setAttribute('visualizer', 'bars');
    await el.updateComplete;
    await until(() => canvasOf(el)?.dataset.drawnIn === 'worker', 'a worker for the new canvas');
    const second = workers.started[1]!;
    expect(workers.ended.has(second)).to.equal(false);
    el.remove();
    expect(workers.ended.has(second), 'ended on removal').to.equal(true);
    expect(workers.ended.size, 'every worker started was ended').to.equal(workers.started.length);
  });

  it('a worker whose file does not load (as under a CSP without workers): the page draws, the worker is ended', async () => {
    const Original = window.Worker;
    workers = watchWorkers((_url, options) => new Original('/no-such-visualizer-worker.js', options));
    const el = await visualizerFixture('orb');
    const start = performance.now();
    await until(() => canvasOf(el)?.dataset.drawnIn !== undefined, 'a painter chosen');
    expect(canvasOf(el)!.dataset.drawnIn).to.equal('page');
    // At the worker's error, not after the 2 s wait for a worker that does not answer.
    expect(performance.now() - start, 'at once').to.be.below(1_500);
    expect(workers.started).to.have.length(1);
    expect(workers.ended.size, 'the failed worker ended').to.equal(1);
    await drawn(el);
    el.remove();
  });

  it('a worker that never says it is ready: the page draws after a bounded wait, the canvas still its own', async () => {
    workers = watchWorkers(silentWorker);
    const el = await visualizerFixture('orb');
    const start = performance.now();
    await until(() => canvasOf(el)?.dataset.drawnIn !== undefined, 'a painter chosen', 5_000);
    const waited = performance.now() - start;
    expect(canvasOf(el)!.dataset.drawnIn).to.equal('page');
    expect(waited, 'bounded (2 s)').to.be.within(1_500, 4_000);
    expect(workers.ended.size, 'the silent worker ended').to.equal(1);
    await drawn(el);
    el.remove();
  });
});
