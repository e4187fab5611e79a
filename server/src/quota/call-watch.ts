/**
 * Watches one call made through /connect, for the quotas and the call length limits: a
 * server-side WebSocket to the service's `?call_id=` endpoint (the same sideband the observer
 * uses) that only listens. It tells when the call ends (the service closes the socket on
 * hang-up, browser gone, session cap) and whether the conversation is alive: nobody speaking and
 * nothing answered for IDLE_CALL_SECONDS is idle. It logs nothing of what is said (the observer,
 * REALTIME_OBSERVER, is the opt-in for transcripts) and sends nothing.
 */
import WebSocket from 'ws';
import type { RealtimeProvider } from '../providers/provider.js';

export interface WatchHooks {
  /** A sign of conversation: the user spoke, a response was made or played. */
  onActivity(): void;
  /** The socket closed: the call is over (or can no longer be seen). `failed` when it never opened. */
  onClose(failed: boolean, detail: string): void;
}

export interface CallWatch {
  /** True while the user is speaking or an answer is being made or played: not idle, however quiet the events. */
  readonly busy: boolean;
  close(): void;
}

export async function watchCall(provider: RealtimeProvider, callId: string, hooks: WatchHooks): Promise<CallWatch> {
  const { url, headers } = await provider.observer(callId);
  const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
  let opened = false;
  let closed = false;
  // A long turn has events only at its start and end: between them the call is not idle.
  let speaking = false;
  let responding = false;
  let playing = false;
  ws.on('open', () => {
    opened = true;
  });
  ws.on('message', (data) => {
    let type: unknown;
    try {
      type = (JSON.parse(data.toString()) as { type?: unknown }).type;
    } catch {
      return;
    }
    if (typeof type !== 'string') return;
    if (type === 'input_audio_buffer.speech_started') speaking = true;
    if (type === 'input_audio_buffer.speech_stopped') speaking = false;
    if (type === 'response.created') responding = true;
    if (type === 'response.done') responding = false;
    if (type === 'output_audio_buffer.started') playing = true;
    if (type === 'output_audio_buffer.stopped' || type === 'output_audio_buffer.cleared') playing = false;
    // session.*, rate_limits.updated and errors are the service talking about itself, not a conversation.
    if (
      /^(input_audio_buffer\.|response\.|output_audio_buffer\.|conversation\.item\.input_audio_transcription\.)/.test(
        type,
      )
    )
      hooks.onActivity();
  });
  const finish = (failed: boolean, detail: string) => {
    if (closed) return;
    closed = true;
    hooks.onClose(failed, detail);
  };
  ws.on('close', (code) => finish(!opened, `closed (${code})`));
  ws.on('error', (error) => {
    finish(!opened, error.message);
    ws.terminate();
  });
  return {
    get busy() {
      return speaking || responding || playing;
    },
    close() {
      closed = true; // our own closing is not the call's end
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000, 'call over');
    },
  };
}
