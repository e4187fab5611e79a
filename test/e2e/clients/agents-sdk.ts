/**
 * A browser client made with OpenAI's own Agents SDK (@openai/agents-realtime),
 * used as its docs show: a RealtimeAgent, a RealtimeSession over the
 * OpenAIRealtimeWebRTC transport, `session.connect({ apiKey })` with an
 * ephemeral key. `baseUrl` is the calls URL the reference server's /token
 * returns (the emulator's), where the SDK POSTs its offer. The SDK plays the
 * model on the audio element given to it, through its own ontrack
 * (`audioElement.srcObject = event.streams[0]`).
 */
import { OpenAIRealtimeWebRTC, RealtimeAgent, RealtimeSession } from '@openai/agents-realtime';
import type { Payload } from '../../support/payload.js';

export interface AgentsClient {
  session: RealtimeSession;
  transport: OpenAIRealtimeWebRTC;
  audioElement: HTMLAudioElement;
  /** Every raw server event the transport saw, with the time it came. */
  events: Array<{ type: string; at: number; detail: Payload }>;
  /** performance.now() when connect() resolved. */
  connectedAt: number;
  close(): void;
}

export async function startWithAgentsSdk(tokenUrl: string, instructions: string): Promise<AgentsClient> {
  const tokenResponse = await fetch(tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  });
  const { value, calls_url } = (await tokenResponse.json()) as { value: string; calls_url: string };

  const audioElement = document.createElement('audio');
  document.body.appendChild(audioElement);
  const agent = new RealtimeAgent({ name: 'Assistant', instructions });
  const transport = new OpenAIRealtimeWebRTC({ baseUrl: calls_url, audioElement });
  const session = new RealtimeSession(agent, { transport, model: 'gpt-realtime' });
  const events: AgentsClient['events'] = [];
  session.on('transport_event', (event) => {
    events.push({ type: event.type, at: performance.now(), detail: event });
  });
  await session.connect({ apiKey: value });
  return {
    session,
    transport,
    audioElement,
    events,
    connectedAt: performance.now(),
    close() {
      session.close();
      audioElement.remove();
    },
  };
}
