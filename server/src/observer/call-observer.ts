/**
 * The observer/controller of a call made through /connect: a server-side
 * WebSocket to the service's `?call_id=` endpoint. It logs the conversation
 * (transcripts, never audio), offers and runs server-side tools, and can
 * send `session.update`. It closes when the call ends (hang-up, browser gone,
 * upstream close) or after a lifetime cap, so no socket outlives its call.
 */
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { RealtimeProvider } from '../providers/provider.js';
import type { ServerTool } from '../tools/example-tools.js';
import { initialToolRule, onServerEvent, outputSent, type ToolRuleState, type ToolStep } from './tool-rule.js';

/** Longer than the service's 60-minute session cap: a last guard against a socket nobody closed. */
const MAX_LIFETIME_MS = 65 * 60 * 1000;

export class CallObservers {
  readonly #open = new Map<string, WebSocket>();

  constructor(
    private readonly provider: RealtimeProvider,
    private readonly tools: ServerTool[],
    private readonly log: Logger,
  ) {}

  #closing = false;

  get size(): number {
    return this.#open.size;
  }

  async open(callId: string, log: Logger = this.log): Promise<void> {
    if (this.#closing) return;
    const { url, headers } = await this.provider.observer(callId);
    // A call answered while the server shuts down gets no observer: closeAll() has run or is running.
    if (this.#closing) return;
    const ws = new WebSocket(url, { headers, handshakeTimeout: 10_000 });
    this.#open.set(callId, ws);
    const callLog = log.child({ callId });
    const lifetime = setTimeout(() => ws.close(1000, 'observer lifetime reached'), MAX_LIFETIME_MS);
    // The rule of tool-rule.ts (the widget's too): each call's result is kept until the response that
    // asked for it is done and all of that response's calls have finished, in whichever order those
    // come; then the results go back, and one response.create only if that response completed
    // (none after a barge-in cancel, an incomplete or a failed response).
    let rule: ToolRuleState = initialToolRule;
    const outputs = new Map<string, Array<Record<string, unknown>>>();
    const apply = (step: ToolStep, event?: Record<string, unknown>) => {
      rule = step.state;
      const decision = step.decision;
      if (decision?.kind === 'run' && event) {
        const { responseId, callId } = decision;
        void this.#runTool(event, callLog).then((output) => {
          outputs.set(responseId, [...(outputs.get(responseId) ?? []), output]);
          apply(outputSent(rule, responseId, callId));
        });
      } else if (decision) {
        const ready = outputs.get(decision.responseId) ?? [];
        outputs.delete(decision.responseId);
        this.#flush(ws, ready, decision.kind === 'follow-up');
        if (decision.kind === 'no-follow-up')
          callLog.info({ responseId: decision.responseId, status: decision.status }, 'no follow-up response');
      }
    };
    ws.on('open', () => {
      callLog.info('observer connected');
      if (this.tools.length) {
        ws.send(
          JSON.stringify({
            type: 'session.update',
            session: {
              type: 'realtime',
              tools: this.tools.map((t) => ({
                type: 'function',
                name: t.name,
                description: t.description,
                parameters: t.parameters,
              })),
            },
          }),
        );
      }
    });
    ws.on('message', (data) => {
      let event: { type?: string; [k: string]: unknown };
      try {
        event = JSON.parse(data.toString());
      } catch {
        return;
      }
      switch (event.type) {
        case 'conversation.item.input_audio_transcription.completed':
          callLog.info({ role: 'user', text: event.transcript }, 'transcript');
          break;
        case 'response.output_audio_transcript.done':
        case 'response.output_text.done':
          callLog.info({ role: 'assistant', text: event.transcript ?? event.text }, 'transcript');
          break;
        case 'response.function_call_arguments.done':
        case 'response.done':
          apply(onServerEvent(rule, event), event);
          break;
        case 'error':
          callLog.warn({ error: event.error }, 'service error');
          break;
      }
    });
    const finish = (reason: string) => {
      clearTimeout(lifetime);
      if (this.#open.get(callId) === ws) this.#open.delete(callId);
      callLog.info({ reason }, 'observer closed');
    };
    ws.on('close', (code) => finish(`closed (${code})`));
    ws.on('error', (error) => {
      callLog.warn({ message: error.message }, 'observer connection failed');
      ws.terminate();
    });
  }

  /** Sends a client event (e.g. session.update) to a call being observed. */
  send(callId: string, event: Record<string, unknown>): boolean {
    const ws = this.#open.get(callId);
    if (ws?.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(event));
    return true;
  }

  /** Graceful shutdown: close every observer with 1001 and a reason; none opens after this. */
  async closeAll(): Promise<void> {
    this.#closing = true;
    const closing = [...this.#open.values()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          // One still connecting is closed once open: closing it now would abort the handshake, and the
          // service would see the socket drop with no close frame and no reason.
          if (ws.readyState === WebSocket.CONNECTING) ws.once('open', () => ws.close(1001, 'server shutting down'));
          else ws.close(1001, 'server shutting down');
          setTimeout(() => {
            ws.terminate();
            resolve();
          }, 2000).unref();
        }),
    );
    await Promise.all(closing);
  }

  async #runTool(event: Record<string, unknown>, log: Logger): Promise<Record<string, unknown>> {
    const tool = this.tools.find((t) => t.name === event.name);
    let output: unknown;
    try {
      if (!tool) throw new Error(`no server tool named ${String(event.name)}`);
      output = await tool.handler(JSON.parse(String(event.arguments || '{}')));
      log.info({ tool: tool.name }, 'tool ran');
    } catch (error) {
      output = { error: (error as Error).message };
      log.warn({ tool: event.name, message: (error as Error).message }, 'tool failed');
    }
    return { type: 'function_call_output', call_id: event.call_id, output: JSON.stringify(output) };
  }

  /** The results of one response's calls, then (when it completed) one response.create. */
  #flush(ws: WebSocket, outputs: Array<Record<string, unknown>>, followUp: boolean): void {
    if (!outputs.length || ws.readyState !== WebSocket.OPEN) return;
    for (const item of outputs) ws.send(JSON.stringify({ type: 'conversation.item.create', item }));
    if (followUp) ws.send(JSON.stringify({ type: 'response.create' }));
  }
}
