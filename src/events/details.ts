/**
 * The detail of every event the session and the element dispatch: the event vocabulary. It imports
 * nothing, so anything (the session, the element, a page's own code) can depend on it.
 */

/**
 * The connection state machine. `closing` is passed through synchronously by
 * stop(); `error` and `closed` are both resting states from which start()
 * begins a new call. `reconnecting` is a call that was lost (or renewed
 * before the service's session cap) and is being replaced by a new one.
 */
export type RealtimeState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed' | 'error';

export type RealtimeErrorCode =
  | 'missing-endpoint'
  | 'insecure-context'
  | 'unsupported-browser'
  | 'microphone-denied'
  | 'microphone-not-found'
  | 'microphone-busy'
  | 'token-unreachable'
  | 'token-timeout'
  | 'token-invalid-response'
  | 'unauthorized'
  | 'sign-in-required'
  | 'quota-exceeded'
  | 'forbidden'
  | 'not-found'
  | 'rate-limited'
  | 'service-unavailable'
  | 'request-rejected'
  | 'signaling-unreachable'
  | 'signaling-timeout'
  | 'sdp-rejected'
  | 'ice-failed'
  | 'data-channel-closed'
  | 'connection-lost'
  | 'session-expired'
  | 'autoplay-blocked'
  | 'not-connected'
  | 'invalid-event'
  | 'service-error'
  | 'tool-failed'
  | 'output-device-failed'
  | 'part-unavailable'
  | 'setting-locked';

export interface RealtimeErrorDetail {
  code: RealtimeErrorCode;
  message: string;
  /** HTTP status when the failure was an HTTP answer. */
  status?: number;
  /** The underlying error or the service's error object, for logs. */
  cause?: unknown;
  /** False when the call goes on despite the error (e.g. a rejected `session.update`). */
  fatal: boolean;
  /** The page's server's own code from its JSON error (`token_expired`, `quota_minutes_per_day`, …). */
  serverCode?: string;
  /** Seconds to wait before trying again, from the answer's `Retry-After`. */
  retryAfter?: number;
}

export interface TranscriptDetail {
  role: 'user' | 'assistant';
  itemId: string;
  /** The whole text of the item so far (not just the latest piece). */
  text: string;
  /** The piece that arrived with this event ('' on a final event that adds nothing). */
  delta: string;
  final: boolean;
  /** The assistant was cut off (barge-in or interrupt()): `text` is what was heard, as far as it can be told. */
  truncated?: boolean;
  /** A turn of an earlier call or page given back (`persist`, or a reconnection), not said in this call. */
  restored?: boolean;
}

/** Token counts as the service bills them (`response.done`'s `usage`), added up. */
export interface RealtimeUsage {
  /** Responses counted. */
  responses: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  inputTextTokens: number;
  inputAudioTokens: number;
  /** Input tokens served from the service's cache (billed lower). */
  cachedTokens: number;
  outputTextTokens: number;
  outputAudioTokens: number;
}

/** `realtime-usage`: a response's usage, and the running totals of its call and of the conversation. */
export interface RealtimeUsageDetail {
  responseId: string;
  response: RealtimeUsage;
  /** This call since it connected. */
  call: RealtimeUsage;
  /** The conversation: over reconnections, renewals and (with `persist`) later calls of this page; a reload counts from zero. */
  conversation: RealtimeUsage;
}

/** A turn of the conversation kept for the next call (`RealtimeSession.history`): its final text only. */
export interface HistoryTurn {
  role: 'user' | 'assistant';
  text: string;
  itemId: string;
  /** The assistant was cut off: `text` is what was heard. */
  truncated?: boolean;
}

/** Why a call is being replaced: `network` (lost) or `renewal` (session cap ahead). */
export type ReconnectReason = 'network' | 'renewal';

export interface RealtimeStateDetail {
  state: RealtimeState;
  previous: RealtimeState;
  /** With `reconnecting`: `network` (the call was lost) or `renewal` (replaced ahead of the session cap). */
  reason?: ReconnectReason;
}

export interface RealtimeLevelsDetail {
  /** Microphone level, 0 to 1. */
  input: number;
  /** Assistant voice level, 0 to 1. */
  output: number;
}

/** An MCP tool's call the service asks the user to allow (an `mcp_approval_request` item). */
export interface McpApprovalRequest {
  /** The request item's id (`approval_request_id` of the answer). */
  id: string;
  /** The MCP server's `server_label`. */
  serverLabel: string;
  /** The tool's name. */
  name: string;
  /** The arguments, as the JSON text the service gave. */
  arguments: string;
}
