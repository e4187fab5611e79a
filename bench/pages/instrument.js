// Installed before any page script (puppeteer evaluateOnNewDocument): wraps
// RTCPeerConnection, AudioContext, Worker and getUserMedia so the benchmark can
// time the same milestones for the widget and the bare client, and count what
// is still alive (open peer connections, live tracks, running audio contexts,
// workers not terminated: the meters' and the visualizer's drawing workers).
// Instances are held weakly: the counting must not keep anything alive.
(() => {
  if (window.__bench) return;
  const now = () => performance.now();
  const bench = {
    t0: 0,
    /** One record per peer connection: timings in ms of performance.now(). */
    pcs: [],
    tracks: [],
    contexts: [],
    workers: [],
    terminated: new WeakSet(),
    gum: [],
    longTasks: [],
    /** Contexts the benchmark itself creates (the audio probe) are not counted as the page's. */
    ignoreContexts: new WeakSet(),
    live() {
      const alive = (ref) => ref.deref();
      const pcs = this.pcs
        .map((r) => alive(r.ref))
        .filter((pc) => pc && pc.signalingState !== 'closed' && pc.connectionState !== 'closed');
      const tracks = this.tracks.map(alive).filter((t) => t && t.readyState === 'live');
      const contexts = this.contexts.map(alive).filter((c) => c && c.state !== 'closed');
      const workers = this.workers.map(alive).filter((w) => w && !this.terminated.has(w));
      return {
        pcs: pcs.length,
        tracks: tracks.length,
        contexts: contexts.length,
        workers: workers.length,
        createdPcs: this.pcs.length,
        createdTracks: this.tracks.length,
        createdContexts: this.contexts.length,
        createdWorkers: this.workers.length,
      };
    },
  };
  window.__bench = bench;

  const NativePC = window.RTCPeerConnection;
  if (NativePC) {
    const trackTrack = (track) => bench.tracks.push(new WeakRef(track));
    class BenchPeerConnection extends NativePC {
      constructor(...args) {
        super(...args);
        const rec = { ref: new WeakRef(this), created: now() };
        bench.pcs.push(rec);
        this.addEventListener('icegatheringstatechange', () => {
          if (this.iceGatheringState === 'complete' && rec.gatheringComplete === undefined)
            rec.gatheringComplete = now();
        });
        this.addEventListener('icecandidate', (e) => {
          if (e.candidate && rec.firstCandidate === undefined) rec.firstCandidate = now();
        });
        this.addEventListener('iceconnectionstatechange', () => {
          if (
            (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') &&
            rec.iceConnected === undefined
          )
            rec.iceConnected = now();
        });
        this.addEventListener('connectionstatechange', () => {
          if (this.connectionState === 'connected' && rec.connected === undefined) rec.connected = now();
        });
        this.addEventListener('track', (e) => {
          if (rec.remoteTrack === undefined) rec.remoteTrack = now();
          trackTrack(e.track);
        });
        this.__rec = rec;
      }
      createDataChannel(...args) {
        const dc = super.createDataChannel(...args);
        const rec = this.__rec;
        dc.addEventListener('open', () => {
          if (rec.dcOpen === undefined) rec.dcOpen = now();
        });
        rec.turnEvents = [];
        const onMessage = (e) => {
          if (typeof e.data !== 'string') return;
          if (rec.sessionCreated === undefined && e.data.includes('"session.created"')) rec.sessionCreated = now();
          // The two turn milestones the service announces, for the turn latency breakdown.
          else if (e.data.includes('"input_audio_buffer.speech_stopped"'))
            rec.turnEvents.push({ type: 'speech_stopped', t: now() });
          else if (e.data.includes('"output_audio_buffer.started"'))
            rec.turnEvents.push({ type: 'output_started', t: now() });
        };
        dc.addEventListener('message', onMessage);
        return dc;
      }
      async setLocalDescription(...args) {
        this.__rec.setLocalStart = now();
        const result = await super.setLocalDescription(...args);
        this.__rec.setLocal = now();
        return result;
      }
      async setRemoteDescription(...args) {
        this.__rec.setRemoteStart = now();
        const result = await super.setRemoteDescription(...args);
        this.__rec.setRemote = now();
        return result;
      }
    }
    window.RTCPeerConnection = BenchPeerConnection;
  }

  const NativeAudioContext = window.AudioContext;
  if (NativeAudioContext) {
    class BenchAudioContext extends NativeAudioContext {
      constructor(...args) {
        super(...args);
        if (!bench.constructingProbe) bench.contexts.push(new WeakRef(this));
      }
    }
    window.AudioContext = BenchAudioContext;
    if (window.webkitAudioContext) window.webkitAudioContext = BenchAudioContext;
  }

  // A worker the page drops without terminate() runs on until the page goes: counted as alive.
  const NativeWorker = window.Worker;
  if (NativeWorker) {
    class BenchWorker extends NativeWorker {
      constructor(...args) {
        super(...args);
        bench.workers.push(new WeakRef(this));
      }
      terminate() {
        bench.terminated.add(this);
        super.terminate();
      }
    }
    window.Worker = BenchWorker;
  }

  const devices = navigator.mediaDevices;
  if (devices?.getUserMedia) {
    const native = devices.getUserMedia.bind(devices);
    devices.getUserMedia = async (constraints) => {
      const rec = { start: now() };
      bench.gum.push(rec);
      const stream = await native(constraints);
      rec.end = now();
      stream.getTracks().forEach((t) => bench.tracks.push(new WeakRef(t)));
      return stream;
    };
  }

  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) bench.longTasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    /* no long task API */
  }
})();

// The audio probe for turn latency: one AudioWorklet on the page's own clock
// that reports when the microphone's speech ends (after 300 ms of quiet) and
// when the remote audio starts (first loud 128-frame block after quiet), in
// AudioContext seconds, so both edges are timed by the same clock.
(() => {
  const bench = window.__bench;
  if (!bench || bench.probe) return;
  const WORKLET = `
    const THRESHOLD = 0.01, HANGOVER = 0.3;
    class LevelProbe extends AudioWorkletProcessor {
      constructor() { super(); this.state = [{ loud: false, lastLoud: 0 }, { loud: false, lastLoud: 0 }]; }
      process(inputs) {
        const t = currentTime, block = 128 / sampleRate;
        for (let i = 0; i < 2; i++) {
          const ch = inputs[i] && inputs[i][0];
          const st = this.state[i];
          let sum = 0;
          if (ch) for (let k = 0; k < ch.length; k++) sum += ch[k] * ch[k];
          const rms = ch && ch.length ? Math.sqrt(sum / ch.length) : 0;
          if (rms >= THRESHOLD) {
            if (!st.loud) { st.loud = true; this.port.postMessage({ input: i, kind: 'on', time: t }); }
            st.lastLoud = t + block;
          } else if (st.loud && t - st.lastLoud >= HANGOVER) {
            st.loud = false;
            this.port.postMessage({ input: i, kind: 'off', time: st.lastLoud });
          }
        }
        return true;
      }
    }
    registerProcessor('level-probe', LevelProbe);`;
  bench.probeEvents = [];
  bench.probe = async (pc) => {
    const local = pc
      .getSenders()
      .map((s) => s.track)
      .find((t) => t && t.kind === 'audio');
    const remote = pc
      .getReceivers()
      .map((r) => r.track)
      .find((t) => t && t.kind === 'audio');
    bench.constructingProbe = true;
    const ctx = new AudioContext();
    bench.constructingProbe = false;
    await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' })));
    const node = new AudioWorkletNode(ctx, 'level-probe', { numberOfInputs: 2, numberOfOutputs: 1 });
    ctx.createMediaStreamSource(new MediaStream([local])).connect(node, 0, 0);
    ctx.createMediaStreamSource(new MediaStream([remote])).connect(node, 0, 1);
    const mute = ctx.createGain();
    mute.gain.value = 0;
    node.connect(mute).connect(ctx.destination);
    node.port.onmessage = (e) => bench.probeEvents.push(e.data);
    await ctx.resume();
    bench.probeContext = ctx;
    bench.probeStart = ctx.currentTime;
    // Maps the probe's clock (AudioContext seconds) to performance.now() milliseconds.
    bench.probeClock = { context: ctx.currentTime, perf: performance.now() };
    return bench.probeStart;
  };
  bench.stopProbe = async () => {
    await bench.probeContext?.close();
    bench.probeContext = undefined;
  };
})();
