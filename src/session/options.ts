import type { PageSettings } from '../events/session-settings.js';
import type { FetchLike } from './http.js';
import type { PageCredentials, Signaling } from './signaling.js';
import type { RealtimeTool } from './tool-definitions.js';

/** Everything a RealtimeSession can be told; the element fills it from its attributes before each call. */
export interface RealtimeSessionOptions {
  /** Token mode: a service answering `{value, expires_at, calls_url?}`. */
  tokenUrl?: string;
  /** Token mode: where the offer goes when the token service names no `calls_url`. */
  callsUrl?: string;
  /** Connect mode: your server takes the offer and answers with SDP; the page never holds a token. Wins over tokenUrl. */
  connectUrl?: string;
  /** Any other way of exchanging the offer; wins over the URLs. */
  signaling?: Signaling;
  /** `Authorization` for the token / connect URL (never the service's): a value, or a function called before each request. */
  authorization?: PageCredentials['authorization'];
  /** fetch credentials mode for the token / connect URL: `include` for a cookie session on another origin. */
  credentials?: RequestCredentials;
  voice?: string;
  instructions?: string;
  /**
   * Session settings by attribute name (`turn-detection`, `eagerness`, …): sent with the token or connect
   * request (your server's policy applies), and in `session.update` where the call's session differs
   * from them (a server that did not apply them, a change during the call), except the fields the
   * server locked.
   */
  settings?: PageSettings;
  /** getUserMedia audio constraints, over the default: echo cancellation, noise suppression and auto gain on. */
  audioConstraints?: MediaTrackConstraints;
  /** Microphone to use (a `deviceId` of enumerateDevices()); default: the system's. */
  inputDeviceId?: string;
  /** Speaker to play to, where the browser supports `setSinkId`; default: the system's. */
  outputDeviceId?: string;
  /** Push-to-talk: no voice activity detection; the microphone is live only between startTalking() and stopTalking(). */
  pushToTalk?: boolean;
  /** Functions the model may call, run in the page. */
  tools?: readonly RealtimeTool[];
  /** New calls to try when a call is lost mid-way (network) or reaches the service's session cap. Default 3; 0 turns reconnection off. */
  reconnectAttempts?: number;
  /** First reconnection delay in ms, doubled for each further try. Default 1000. */
  reconnectDelayMs?: number;
  /** Deadline for each step (token, offer, ICE + data channel), in ms. Default 15000. */
  timeoutMs?: number;
  /** Where the created `<audio>` element is attached (it must be in the document for iOS). Default: document.body. */
  audioParent?: Node;
  /** Play into this element instead of creating one. */
  audioElement?: HTMLAudioElement;
  fetch?: FetchLike;
  getUserMedia?: (constraints: MediaStreamConstraints) => Promise<MediaStream>;
  dataChannelLabel?: string;
  /** Turns of the conversation a new call is given back (default 20; 0: none). */
  historyTurns?: number;
  /** Characters of them at most (default 8000). */
  historyChars?: number;
  /** start() after stop() goes on with the conversation so far (the element's `persist`); else it starts a new one. */
  keepHistory?: boolean;
  /** Called with the page's `Authorization` value each time it is sent (the history part tells a new user by it). */
  onAuthorization?: (value: string | undefined) => void;
  /** Where the session's call part loads from (a base URL); default beside the bundle. */
  partsUrl?: string;
}
