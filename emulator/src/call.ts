/**
 * One WebRTC call: a real peer connection in Node (@roamhq/wrtc) that
 * receives the microphone, speaks on its own audio track, and carries
 * events on the data channel the browser opened (any label). Observers
 * (the `?call_id=` WebSocket) get every event and may send client events.
 */
import wrtc from '@roamhq/wrtc';
import { Conversation, type ServerEvent } from './conversation.js';
import { newId } from './ids.js';
import { filterCandidates, SERVICE_AUDIO_CODECS, serviceLikeAnswer, type IcePolicy } from './sdp.js';
import type { EffectiveSession } from './session.js';
import { Speaker } from './speaker.js';

/** What `?webrtcfilter=on` lets through to the browser (Azure's list); observers still get everything. */
export const WEBRTC_FILTER_PASSES = new Set([
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.added',
  'conversation.item.created',
  'response.output_text.delta',
  'response.output_text.done',
  'response.output_audio_transcript.delta',
  'response.output_audio_transcript.done',
]);

export interface Observer {
  send(text: string): void;
  close(code?: number, reason?: string): void;
}

export interface CallOptions {
  session: EffectiveSession;
  filtered: boolean;
  ice: IcePolicy;
  /** Ends the call with `session_expired` after this long (the service: 60 minutes). */
  maxDurationMs: number;
  onClosed(call: Call): void;
}

const GATHER_LIMIT_MS = 2000;
/**
 * A call whose browser never connects is ended after this long. A browser that goes away between its
 * offer and our answer (a page stopped while connecting) sends no STUN, so ICE never fails and such a
 * call lived for its whole maximum duration: 1,000 bench cycles (5 % stopped while connecting) left
 * about 30 of them open, each with three libwebrtc threads and a 100 Hz speaker timer.
 */
const CONNECT_LIMIT_MS = 15_000;
/**
 * session.created goes this long after the data channel opened, not at once. @roamhq/wrtc 0.10.0
 * crashes (SIGSEGV on the JS thread) when the browser closes its channel while
 * RTCDataChannel.send() runs; the core of a Firefox bench cycle (2026-12-04):
 *
 *   #0 node_webrtc::RTCDataChannel::Send(Napi::CallbackInfo const&) + 1112   mov (%rdi),%rax, rdi = 0
 *   #1 Napi::InstanceWrap<node_webrtc::RTCDataChannel>::InstanceMethodCallbackWrapper
 *
 * Send checks that the channel is open (a blocking call to libwebrtc's signaling thread), converts
 * the string, then reads its channel pointer (`_jingleDataChannel`, at +0x1d0) a second time; the
 * signaling thread, free again, had meanwhile handled the browser's close (RTCDataChannel::
 * OnStateChange → CleanupInternals, which sets that pointer to null). The message being sent in the
 * core was session.created: a page that stops as soon as its channel opens (every bench and leak
 * cycle, many tests) closes it within milliseconds of our open, exactly when session.created used to
 * go out. A little later, the close has been handled: `readyState` (which reads the pointer once,
 * safe) says closed and nothing is sent. The service, too, sends it some time after the open.
 * No JS ordering makes send() itself safe against a close that lands during it; the other sends
 * happen in answer to the page and are rarely this close to its hang-up.
 */
const SESSION_CREATED_DELAY_MS = 50;

/** The stream id of the service's audio (its answers carry `a=msid:realtimeapi audio`). */
export const SERVICE_STREAM_ID = 'realtimeapi';

export class Call {
  readonly id = newId('rtc', 12);
  readonly conversation: Conversation;
  readonly observers = new Set<Observer>();
  /** Every server event of the call, in order (for tests and the server's observer). */
  readonly log: ServerEvent[] = [];
  /** Every client event that came over the data channel and parsed as JSON (for conformance tests). */
  readonly clientLog: unknown[] = [];
  readonly #pc: RTCPeerConnection;
  readonly #speaker: Speaker;
  #channel?: RTCDataChannel;
  #sink?: {
    stop(): void;
    ondata: ((data: { samples: Int16Array; sampleRate: number; channelCount: number }) => void) | null;
  };
  #closed = false;
  readonly #expiry: ReturnType<typeof setTimeout>;
  readonly #connectDeadline: ReturnType<typeof setTimeout>;
  #sessionCreatedTimer?: ReturnType<typeof setTimeout>;
  #announced = false;

  constructor(private readonly options: CallOptions) {
    this.#pc = new wrtc.RTCPeerConnection() as unknown as RTCPeerConnection;
    const source = new wrtc.nonstandard.RTCAudioSource();
    this.#speaker = new Speaker(source);
    // In a stream, named as the service names its own: the answer then says `a=msid:realtimeapi <track>`.
    // Without one (`a=msid:- <track>`) a browser's ontrack gets no stream, and pages written the usual
    // way (`audio.srcObject = event.streams[0]`) play nothing.
    const stream = new wrtc.MediaStream({ id: SERVICE_STREAM_ID }) as unknown as MediaStream;
    this.#pc.addTrack(source.createTrack() as unknown as MediaStreamTrack, stream);
    this.conversation = new Conversation(options.session, {
      emit: (event) => this.#emit(event),
      speaker: this.#speaker,
    });
    this.#pc.ontrack = (event) => this.#listen(event.track);
    this.#pc.ondatachannel = (event) => this.#adopt(event.channel);
    this.#pc.onconnectionstatechange = () => {
      const state = this.#pc.connectionState;
      if (state === 'connected') clearTimeout(this.#connectDeadline);
      if (state === 'failed' || state === 'closed') this.close('peer connection ' + state);
    };
    this.#connectDeadline = setTimeout(() => this.close('peer connection never connected'), CONNECT_LIMIT_MS);
    this.#expiry = setTimeout(() => {
      this.#emit({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          code: 'session_expired',
          message: `Your session hit the maximum duration of ${Math.round(options.maxDurationMs / 60000)} minutes.`,
          param: null,
        },
      });
      setTimeout(() => this.close('session expired'), 100);
    }, options.maxDurationMs);
  }

  get filtered(): boolean {
    return this.options.filtered;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Answers the browser's offer: full ICE gathering (bounded), then the SDP.
   * Answering at the first usable candidate, as the service does, cut the
   * bench's connect time from ~183 to ~71 ms, but @roamhq/wrtc then crashed
   * (SIGSEGV) in the test runs, most likely when a quick hang-up closed the
   * connection while it was still gathering; so the emulator waits.
   */
  async answer(offerSdp: string): Promise<string> {
    await this.#pc.setRemoteDescription({ type: 'offer', sdp: filterCandidates(offerSdp, this.options.ice) });
    this.#preferServiceCodecs();
    const answer = await this.#pc.createAnswer();
    await this.#pc.setLocalDescription({ type: 'answer', sdp: serviceLikeAnswer(answer.sdp!) });
    await gathered(this.#pc);
    if (this.#closed) throw new Error('the call ended while its answer was being made');
    this.#speaker.start();
    return filterCandidates(this.#pc.localDescription!.sdp, this.options.ice);
  }

  /**
   * Opus, PCMU and PCMA only, as the service answers: with libwebrtc's full list a browser
   * would, for instance, get a DTMF sender that can insert tones (telephone-event), which
   * the service never negotiates.
   */
  #preferServiceCodecs(): void {
    const codecs = wrtc.RTCRtpReceiver.getCapabilities('audio')?.codecs ?? [];
    const preferred = SERVICE_AUDIO_CODECS.flatMap((mime) =>
      codecs.filter((c) => c.mimeType.toLowerCase() === mime.toLowerCase()),
    );
    if (preferred.length === 0) return;
    for (const transceiver of this.#pc.getTransceivers()) {
      if (transceiver.receiver.track?.kind === 'audio') transceiver.setCodecPreferences(preferred);
    }
  }

  addObserver(observer: Observer): void {
    if (this.#closed) return observer.close(1000, 'call ended');
    this.observers.add(observer);
  }

  removeObserver(observer: Observer): void {
    this.observers.delete(observer);
  }

  /** A client event from an observer: handled exactly like one from the data channel. */
  fromObserver(text: string): void {
    this.conversation.handleClientEvent(text);
  }

  close(reason = 'hangup'): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#expiry);
    clearTimeout(this.#connectDeadline);
    clearTimeout(this.#sessionCreatedTimer);
    this.conversation.close();
    this.#speaker.stop();
    this.#sink?.stop();
    if (this.#sink) this.#sink.ondata = null;
    try {
      this.#channel?.close();
    } catch {
      /* already closed by the browser */
    }
    this.#pc.close();
    for (const observer of this.observers) observer.close(1000, `call ended: ${reason}`);
    this.observers.clear();
    this.options.onClosed(this);
  }

  #adopt(channel: RTCDataChannel): void {
    if (this.#channel) return; // one event channel per call; the service ignores the label
    this.#channel = channel;
    channel.onmessage = (message) => {
      const text = typeof message.data === 'string' ? message.data : String(message.data);
      try {
        if (this.clientLog.length < 5000) this.clientLog.push(JSON.parse(text));
      } catch {
        /* not JSON: the conversation answers with an error event */
      }
      this.conversation.handleClientEvent(text);
    };
    channel.onclose = () => this.close('data channel closed');
    // With webrtcfilter=on the browser does not get it (see #emit); observers and the log do.
    // Not at once (SESSION_CREATED_DELAY_MS says why), but always before any other event (#emit).
    const opened = () => {
      this.#sessionCreatedTimer = setTimeout(() => this.#announce(), SESSION_CREATED_DELAY_MS);
    };
    if (channel.readyState === 'open') opened();
    else channel.onopen = opened;
  }

  /** session.created, once, unless the call ended first. */
  #announce(): void {
    if (this.#announced || this.#closed) return;
    this.#announced = true;
    clearTimeout(this.#sessionCreatedTimer);
    this.conversation.sessionCreated();
  }

  #listen(track: MediaStreamTrack): void {
    if (track.kind !== 'audio' || this.#sink) return;
    const sink = new wrtc.nonstandard.RTCAudioSink(track);
    this.#sink = sink;
    sink.ondata = (data) => this.conversation.onInputFrame(data.samples, data.sampleRate, data.channelCount ?? 1);
  }

  #emit(event: ServerEvent): void {
    // An event that would reach the browser before the (delayed) session.created sends that first.
    if (!this.#announced && event.type !== 'session.created' && this.#channel?.readyState === 'open') this.#announce();
    const full = { event_id: newId('event'), ...event };
    this.log.push(full);
    if (this.log.length > 5000) this.log.splice(0, 1000);
    let text = JSON.stringify(full);
    for (const observer of this.observers) {
      try {
        observer.send(text);
      } catch {
        this.observers.delete(observer); // a socket closing under us
      }
    }
    if (this.options.filtered && !WEBRTC_FILTER_PASSES.has(event.type)) return;
    if (this.#channel?.readyState !== 'open') return;
    // A message over the SCTP limit makes WebRTC close the whole channel (and so the call): an event that
    // echoes a huge client payload (an item of megabytes sent by an observer) is replaced by an error.
    const limit = this.#pc.sctp?.maxMessageSize || DEFAULT_MAX_MESSAGE_SIZE;
    if (text.length > limit / 4 && Buffer.byteLength(text) > limit)
      text = tooLarge(event, Buffer.byteLength(text), limit);
    try {
      this.#channel.send(text);
    } catch {
      // The browser closed the channel between the check and the send (its close event follows):
      // this must never take the emulator down.
    }
  }
}

/** What libwebrtc advertises (`a=max-message-size`) when the peer says nothing. */
const DEFAULT_MAX_MESSAGE_SIZE = 262_144;

function tooLarge(event: ServerEvent, bytes: number, limit: number): string {
  return JSON.stringify({
    event_id: newId('event'),
    type: 'error',
    error: {
      type: 'invalid_request_error',
      code: 'event_too_large',
      message: `The ${String(event.type).slice(0, 80)} event (${bytes} bytes) is larger than the data channel's maximum message size (${limit} bytes) and was not sent here; observers received it.`,
      param: null,
      event_id: null,
    },
  });
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATHER_LIMIT_MS);
    pc.onicegatheringstatechange = () => {
      if (pc.iceGatheringState === 'complete') {
        clearTimeout(timer);
        resolve();
      }
    };
  });
}
