import { assert, expect } from '@open-wc/testing';
import { emulateMedia, sendMouse } from '@web/test-runner-commands';
import {
  countAudioContexts,
  nextEvent,
  part,
  record,
  sleep,
  tokenUrl,
  until,
  useFakeService,
  voiceFixture,
} from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';

function levelRate(el: RealtimeVoice, ms: number): Promise<number> {
  let count = 0;
  const listener = () => count++;
  el.addEventListener('realtime-levels', listener);
  return sleep(ms).then(() => {
    el.removeEventListener('realtime-levels', listener);
    return (count * 1000) / ms;
  });
}

/** Counts the page's analyser reads and the AudioWorklet processors made (by name), until `restore()`. */
function watchLevelMeasures() {
  const read = AnalyserNode.prototype.getFloatTimeDomainData;
  const Node = window.AudioWorkletNode;
  const watch = {
    analyserReads: 0,
    processors: [] as string[],
    /** Messages the processors posted to the page (each one a task on its main thread). */
    posts: 0,
    restore() {
      AnalyserNode.prototype.getFloatTimeDomainData = read;
      window.AudioWorkletNode = Node;
    },
  };
  AnalyserNode.prototype.getFloatTimeDomainData = function (this: AnalyserNode, array) {
    watch.analyserReads++;
    return read.call(this, array);
  };
  window.AudioWorkletNode = class extends Node {
    constructor(context: BaseAudioContext, name: string, options?: AudioWorkletNodeOptions) {
      super(context, name, options);
      watch.processors.push(name);
      this.port.addEventListener('message', () => watch.posts++);
    }
  };
  return watch;
}

/** The meters' test hook: draws these levels in the worker and answers each bar's middle row of pixels (RGBA). */
type MetersDrawer = HTMLElement & { metersDraw(input?: number, output?: number): Promise<number[][] | undefined> };

/** What the bars show, from their rows: the share filled, where the fill starts (from the left) and its colour. */
function barsShown(rows: number[][] | undefined) {
  const bars = (rows ?? []).map((row) => {
    const width = row.length / 4;
    const filled = [...Array(width).keys()].filter((x) => row[x * 4 + 3]);
    const first = filled[0];
    return {
      share: filled.length / (width || 1),
      start: first === undefined ? undefined : first / width,
      rgb: first === undefined ? undefined : row.slice(first * 4, first * 4 + 3),
    };
  });
  return { shares: bars.map((b) => b.share), starts: bars.map((b) => b.start), rgb: bars.find((b) => b.rgb)?.rgb };
}

describe('level meters', () => {
  const fake = useFakeService();

  it('input and output levels move the meters and reach custom visualizers as events and properties', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
    await el.start();
    let input = 0;
    let output = 0;
    el.addEventListener('realtime-levels', (e) => {
      input = Math.max(input, e.detail.input);
      output = Math.max(output, e.detail.output);
    });
    // Chromium's fake microphone beeps; the fake service plays a tone.
    await until(() => input > 0.01 && output > 0.01, 'both levels above silence');
    expect(el.inputLevel).to.be.within(0, 1);
    const meters = el.shadowRoot!.querySelectorAll<HTMLElement>('[part~="meter"]');
    expect(meters).to.have.length(2);
    expect(part(el, 'meters')!.getAttribute('aria-hidden')).to.equal('true');
    // Drawn in a worker (the part's own file): the page asks it what its bars show.
    const fill = meters[1]!.querySelector<HTMLElement>('.fill')!;
    await until(() => fill.dataset.drawnIn === 'worker', 'the bars handed to their worker');
    const drawer = part(el, 'meters') as MetersDrawer;
    let shares: number[] | undefined;
    const deadline = performance.now() + 5_000;
    while (!(shares && shares[1]! > 0) && performance.now() < deadline) {
      shares = barsShown(await drawer.metersDraw()).shares;
      await sleep(30);
    }
    expect(shares?.[1], 'the output bar filled in the worker').to.be.above(0);
    expect(fill.style.transform, 'the page moves nothing itself').to.equal('');
    el.stop();
    expect(el.inputLevel).to.equal(0);
    await el.updateComplete;
    expect(part(el, 'meters'), 'shown only during a call').to.equal(null);
    assert.exists(fake.service.lastCall);
  });

  it("the bars follow the page's own theme switch during a call (a colour set on <html>, the page's direction)", async () => {
    const root = document.documentElement;
    const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
    try {
      await el.start();
      await until(
        () => part(el, 'meters')?.querySelector<HTMLElement>('.fill')?.dataset.drawnIn === 'worker',
        'the worker',
      );
      const drawer = part(el, 'meters') as MetersDrawer;
      // Half-full bars: where the filled half sits says the direction.
      const drawn = async () => barsShown(await drawer.metersDraw(0.5, 0.5));
      const red = [255, 0, 0];
      expect((await drawn()).rgb, 'the theme colour before the switch').to.not.deep.equal(red);
      // As a site's dark-mode toggle does: nothing on the element itself changes.
      root.style.setProperty('--realtime-voice-meter', 'rgb(255, 0, 0)');
      let seen = await drawn();
      const deadline = performance.now() + 5_000;
      while (String(seen.rgb) !== String(red) && performance.now() < deadline) {
        await sleep(100);
        seen = await drawn();
      }
      expect(seen.rgb, "the page's new colour, read again during the call").to.deep.equal(red);
      expect(seen.shares[1], 'still half the bar').to.be.closeTo(0.5, 0.05);
      expect(seen.starts[1], 'filled from the left').to.equal(0);
      root.dir = 'rtl';
      const deadline2 = performance.now() + 5_000;
      while (!(seen.starts[1]! > 0.4) && performance.now() < deadline2) {
        await sleep(100);
        seen = await drawn();
      }
      expect(seen.starts[1], "filled from the right once the page's direction is right to left").to.be.closeTo(
        0.5,
        0.05,
      );
    } finally {
      root.removeAttribute('dir');
      root.style.removeProperty('--realtime-voice-meter');
      el.stop();
    }
  });

  it("the bars' worker ends with the call; where no worker starts, the page moves the bars itself", async () => {
    const Original = window.Worker;
    const started: Worker[] = [];
    const ended = new Set<Worker>();
    const refuse = { on: false };
    window.Worker = class extends Original {
      constructor(url: string | URL, options?: WorkerOptions) {
        // As under a CSP without worker-src: the constructor throws.
        if (refuse.on) throw new DOMException('refused by the test', 'SecurityError');
        super(url, options);
        started.push(this);
      }
      override terminate() {
        ended.add(this);
        super.terminate();
      }
    };
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
      await el.start();
      const fill = () => part(el, 'meters')?.querySelectorAll<HTMLElement>('.fill')[1];
      await until(() => fill()?.dataset.drawnIn === 'worker', 'the bars handed to their worker');
      expect(started, 'one worker for both bars').to.have.length(1);
      el.stop();
      await el.updateComplete;
      expect(ended.has(started[0]!), 'ended with the call').to.equal(true);

      refuse.on = true;
      await el.start();
      await until(
        () => Number(/scaleX\((.*)\)/.exec(fill()?.style.transform ?? '')?.[1]) > 0,
        'the page moving the output bar',
      );
      expect(fill()!.dataset.drawnIn, 'no worker').to.equal(undefined);
      // Levels come only when they change: a move too soon after a redraw is drawn a little later, not dropped.
      el.muted = true;
      await until(() => el.inputLevel === 0, 'the muted microphone at rest');
      const drawer = part(el, 'meters') as MetersDrawer;
      await drawer.metersDraw(0.2, 0.2);
      await drawer.metersDraw(0.6, 0.6);
      await until(() => fill()?.style.transform === 'scaleX(0.6)', 'the later move drawn');
      el.stop();
    } finally {
      window.Worker = Original;
    }
  });

  it('every widget on the page shares one AudioContext, closed when the last call ends', async () => {
    const counter = countAudioContexts();
    try {
      const widgets = await Promise.all([0, 1, 2].map(() => voiceFixture({ 'token-url': tokenUrl().url, meters: '' })));
      const before = counter.created.length;
      for (const el of widgets) await el.start();
      // The first context is the widgets' (made inside start()); the fake service makes one per call for its tone.
      const shared = counter.created[before]!;
      expect(counter.created.length - before - fake.service.calls.length).to.equal(1);
      widgets[0]!.stop();
      widgets[1]!.stop();
      await sleep(50);
      expect(shared.state, 'open while a widget still talks').to.not.equal('closed');
      widgets[2]!.stop();
      await until(() => shared.state === 'closed', 'the shared context closed');
    } finally {
      counter.restore();
    }
  });

  it("the levels are measured on the audio thread (an AudioWorklet from the part's own file): the page reads no analyser", async () => {
    const watch = watchLevelMeasures();
    fake.service.behaviour = { tone: 'wavering' };
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
      await el.start();
      await until(() => watch.processors.length > 0, 'the levels processor');
      let output = 0;
      el.addEventListener('realtime-levels', (e) => (output = Math.max(output, e.detail.output)));
      await until(() => output > 0.01, "the service's tone measured");
      const reads = watch.analyserReads;
      const rate = await levelRate(el, 1000);
      expect(watch.processors).to.deep.equal(['realtime-voice-levels']);
      expect(watch.analyserReads - reads, 'analysers read by the page in that second').to.equal(0);
      expect(rate, 'about 15 a second, the tone never still').to.be.above(7);
      el.stop();
    } finally {
      watch.restore();
    }
  });

  for (const where of ['the audio thread', "the page's timer"] as const) {
    it(`measured on ${where}, levels that hold still fire nothing (silence wakes no listener); a change fires at once`, async () => {
      const watch = watchLevelMeasures();
      const addModule = Object.getOwnPropertyDescriptor(Worklet.prototype, 'addModule')!;
      if (where !== 'the audio thread')
        Worklet.prototype.addModule = () => Promise.reject(new DOMException('refused', 'AbortError'));
      try {
        // The steady tone's level is a constant 1, the muted microphone's 0.
        const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
        el.muted = true;
        const first = nextEvent(el, 'realtime-levels');
        await el.start();
        await first;
        // The processor's first levels always go: wait for them, so the second below has only its changes.
        if (where === 'the audio thread') await until(() => watch.posts > 0, "the levels processor's first message");
        await until(() => el.outputLevel === 1, "the service's steady tone measured");
        const [reads, posts] = [watch.analyserReads, watch.posts];
        expect(await levelRate(el, 1000), 'events in a second of still levels').to.equal(0);
        if (where === 'the audio thread') expect(watch.posts - posts, 'messages from the audio thread').to.equal(0);
        if (where !== 'the audio thread') expect(watch.analyserReads - reads, 'the timer still reads').to.be.above(5);
        // Chromium's fake microphone beeps, Firefox's plays a tone: unmuted, the input level moves.
        const moved = nextEvent(el, 'realtime-levels');
        el.muted = false;
        expect((await moved).detail.input, "the microphone's level once unmuted").to.be.above(0);
        el.stop();
      } finally {
        Object.defineProperty(Worklet.prototype, 'addModule', addModule);
        watch.restore();
      }
    });
  }

  it('where the worklet does not load (as under a CSP that refuses it), a timer of the page measures', async () => {
    const watch = watchLevelMeasures();
    const addModule = Object.getOwnPropertyDescriptor(Worklet.prototype, 'addModule')!;
    Worklet.prototype.addModule = () => Promise.reject(new DOMException('refused', 'AbortError'));
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
      await el.start();
      let output = 0;
      el.addEventListener('realtime-levels', (e) => (output = Math.max(output, e.detail.output)));
      await until(() => output > 0.01, "the service's tone measured");
      expect(watch.processors, 'no processor').to.deep.equal([]);
      expect(watch.analyserReads, 'the analysers read').to.be.above(0);
      el.stop();
    } finally {
      Object.defineProperty(Worklet.prototype, 'addModule', addModule);
      watch.restore();
    }
  });

  it('under prefers-reduced-motion the meters update a few times a second instead of about 15', async () => {
    fake.service.behaviour = { tone: 'wavering' };
    const el = await voiceFixture({ 'token-url': tokenUrl().url, meters: '' });
    await el.start();
    const normal = await levelRate(el, 1000);
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      const calm = await levelRate(el, 1000);
      // Rates, not a timing budget: ~15 a second against ~4 (a loaded CI machine has run the first at 2/3 of its rate).
      expect(normal, 'about 15 a second').to.be.above(7);
      expect(calm, 'a few times a second').to.be.within(1, 6);
      expect(normal, 'fewer under reduced motion').to.be.above(calm * 1.75);
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
      el.stop();
    }
  });

  it('meters and device pickers turned on during a call start at once', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    el.meters = true;
    el.devices = true;
    let output = 0;
    el.addEventListener('realtime-levels', (e) => (output = Math.max(output, e.detail.output)));
    await until(() => output > 0.01, 'levels from the running call');
    await until(() => (part(el, 'devices')?.querySelector('select')?.options.length ?? 0) > 1, 'the microphone list');
    el.stop();
  });

  it('without the meters attribute no AudioContext is made and no level events fire', async () => {
    const counter = countAudioContexts();
    try {
      const el = await voiceFixture({ 'token-url': tokenUrl().url });
      const before = counter.created.length;
      await el.start();
      expect(await levelRate(el, 300)).to.equal(0);
      expect(counter.created.length - before).to.equal(fake.service.calls.length);
      el.stop();
    } finally {
      counter.restore();
    }
  });
});

describe('devices and audio processing', () => {
  const fake = useFakeService();

  it('lists microphones and switches during the call without reconnecting (replaceTrack)', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, devices: '' });
    await el.start();
    const select = () => part(el, 'devices')!.querySelector('select')!;
    await until(() => select().options.length > 1, 'the microphone list');
    const devices = await navigator.mediaDevices.enumerateDevices();
    const mics = devices.filter((d) => d.kind === 'audioinput' && d.deviceId !== 'default');
    expect(select().options.length).to.equal(mics.length + 1);
    expect(select().closest('label')!.textContent).to.contain('Microphone');

    const sender = el.session.peerConnection!.getSenders().find((s) => s.track?.kind === 'audio')!;
    const oldTrack = sender.track!;
    const target = mics[mics.length - 1]!;
    select().value = target.deviceId;
    select().dispatchEvent(new Event('change'));
    await until(() => sender.track !== oldTrack, 'a new track on the same sender');
    expect(sender.track!.getSettings().deviceId).to.equal(target.deviceId);
    expect(oldTrack.readyState).to.equal('ended');
    expect(fake.service.calls).to.have.length(1);
    expect(el.state).to.equal('connected');
    expect(el.inputDevice).to.equal(target.deviceId);
    el.stop();
    expect(fake.probe.liveTracks()).to.have.length(0);
  });

  it('before permission the lists hold what the browser tells (Firefox: nameless devices of no id, shown as the default alone); names come with the call', async () => {
    const before = await navigator.mediaDevices.enumerateDevices();
    const el = await voiceFixture({ 'token-url': tokenUrl().url, devices: '' });
    const microphones = () => [...part(el, 'devices')!.querySelector('select')!.options];
    await sleep(100);
    const known = new Set(
      before.filter((d) => d.kind === 'audioinput' && d.deviceId && d.deviceId !== 'default').map((d) => d.deviceId),
    );
    expect(microphones().map((o) => o.value)).to.deep.equal(['', ...known]);
    for (const option of microphones().slice(1)) expect(option.textContent!.trim()).to.not.equal('');
    await el.start();
    await until(
      () =>
        microphones().length > 1 &&
        microphones()
          .slice(1)
          .every((o) => /\S/.test(o.textContent!)),
      'named microphones once the call has the microphone',
    );
    el.stop();
  });

  it("the speaker list names each speaker once, and offers the browser's own chooser where there is one (Firefox)", async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, devices: '' });
    await el.start();
    const speakers = () => part(el, 'devices')!.querySelectorAll('select')[1]!;
    await until(
      () => part(el, 'devices')!.querySelector('select')!.options.length > 1,
      'the device lists after permission',
    );
    const options = () => [...speakers().options];
    const values = options().map((o) => o.value);
    expect(new Set(values).size, `each speaker once: ${values.join(', ')}`).to.equal(values.length);
    const outputs = (await navigator.mediaDevices.enumerateDevices()).filter(
      (d) => d.kind === 'audiooutput' && d.deviceId && d.deviceId !== 'default',
    );
    const listed = options().filter((o) => o.value && o.value !== '?choose');
    expect(listed.map((o) => o.value)).to.deep.equal([...new Set(outputs.map((d) => d.deviceId))]);
    for (const option of listed) expect(option.textContent!.trim(), 'a name, after permission').to.not.equal('');

    const hasChooser =
      typeof (navigator.mediaDevices as { selectAudioOutput?: unknown }).selectAudioOutput === 'function';
    expect(values.includes('?choose'), 'the chooser offered exactly where selectAudioOutput exists').to.equal(
      hasChooser,
    );
    if (hasChooser) {
      const choose = () => {
        speakers().value = '?choose';
        speakers().dispatchEvent(new Event('change'));
      };
      // Without a user gesture the browser refuses its chooser: said, not swallowed; the call goes on.
      const refused = nextEvent<CustomEvent>(el, 'realtime-error');
      choose();
      expect((await refused).detail).to.include({ code: 'output-device-failed', fatal: false });
      expect(speakers().value, 'the list back on the speaker in use').to.equal('');
      // A click first, as the user's own pick in the list is.
      const status = part(el, 'status')!.getBoundingClientRect();
      await sendMouse({
        type: 'click',
        position: [Math.round(status.x + 5), Math.round(status.y + status.height / 2)],
      });
      choose();
      await until(() => el.outputDevice !== '', "the speaker chosen in the browser's chooser");
      expect(outputs.map((d) => d.deviceId)).to.include(el.outputDevice);
      const audio = el.shadowRoot!.querySelector('audio') as HTMLAudioElement & { sinkId: string };
      await until(() => audio.sinkId === el.outputDevice, 'the voice playing on it');
      await until(() => speakers().value === el.outputDevice, 'the list showing it');
    }
    el.stop();
  });

  it("callStats() gives the call's round trip, losses and received audio in one shape in every engine", async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    expect(await el.session.callStats(), 'no call yet').to.equal(undefined);
    await el.start();
    let stats = await el.session.callStats();
    for (
      let tries = 0;
      !(stats!.packetsReceived > 20 && stats!.bytesSent > 0 && stats!.roundTripTime !== undefined);
      tries++
    ) {
      if (tries === 100) throw new Error(`no packets both ways and round trip in 10 s: ${JSON.stringify(stats)}`);
      await sleep(100);
      stats = await el.session.callStats();
    }
    expect(stats!.roundTripTime).to.be.within(0, 1);
    expect(stats!.totalSamplesReceived, "the assistant's audio played").to.be.above(0);
    expect(stats!.packetsLost).to.be.at.least(0);
    expect(stats!.concealedSamples).to.be.at.least(0);
    expect(stats!.jitter).to.be.a('number');
    expect(stats!.candidateType).to.equal('host');
    el.stop();
    expect(await el.session.callStats(), 'none after stop').to.equal(undefined);
  });

  it('a device that cannot be opened is reported and the call goes on with the old one', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const sender = el.session.peerConnection!.getSenders().find((s) => s.track?.kind === 'audio')!;
    const oldTrack = sender.track!;
    const reported = nextEvent<CustomEvent>(el, 'realtime-error');
    el.inputDevice = 'no-such-device';
    const { detail } = await reported;
    expect(detail.code).to.equal('microphone-not-found');
    expect(detail.fatal).to.equal(false);
    expect(sender.track).to.equal(oldTrack);
    expect(oldTrack.readyState).to.equal('live');
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it('a microphone unplugged mid-call falls back to the default one; the call goes on', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url });
    await el.start();
    const sender = el.session.peerConnection!.getSenders().find((s) => s.track?.kind === 'audio')!;
    const unplugged = sender.track!;
    const reported = nextEvent<CustomEvent>(el, 'realtime-error');
    // What the browser does when the device goes away: the track ends and says so.
    unplugged.stop();
    unplugged.dispatchEvent(new Event('ended'));
    const { detail } = await reported;
    expect(detail.code).to.equal('microphone-not-found');
    expect(detail.fatal).to.equal(false);
    expect(detail.message).to.contain('default microphone');
    await until(
      () => sender.track !== unplugged && sender.track?.readyState === 'live',
      'the default microphone on the sender',
    );
    expect(el.state).to.equal('connected');
    el.stop();
  });

  it('audio-constraints reach getUserMedia over the defaults', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'audio-constraints': '{"noiseSuppression": false}' });
    await el.start();
    const constraints = el.session.localStream!.getAudioTracks()[0]!.getConstraints();
    expect(constraints.noiseSuppression).to.equal(false);
    expect(constraints.echoCancellation).to.equal(true);
    expect(constraints.autoGainControl).to.equal(true);
    el.stop();
  });

  it('output-device plays through setSinkId; a device that does not exist is a non-fatal output-device-failed', async () => {
    const el = await voiceFixture({ 'token-url': tokenUrl().url, 'output-device': 'default' });
    const errors = record(el, ['realtime-error']);
    await el.start();
    const audio = el.shadowRoot!.querySelector('audio') as HTMLAudioElement & { sinkId: string };
    await sleep(300);
    // 'default' is accepted in every engine (Firefox has no device of that id: the element asks for '').
    expect(
      errors.map((e) => e.detail.message),
      'no output-device-failed for the default speaker',
    ).to.deep.equal([]);
    expect(['', 'default']).to.include(audio.sinkId);
    const reported = nextEvent<CustomEvent>(el, 'realtime-error');
    el.outputDevice = 'no-such-speaker';
    const { detail } = await reported;
    expect(detail.code).to.equal('output-device-failed');
    expect(detail.fatal).to.equal(false);
    expect(el.state).to.equal('connected');
    el.stop();
  });
});
