/**
 * Token usage, added up from each `response.done` (its `usage`, what the service bills): per call, and
 * per conversation (which goes on over reconnections, renewals and, with `persist`, new calls). Part of
 * the call part (src/parts/call.ts): it imports nothing at run time.
 */
import type { RealtimeUsage, RealtimeUsageDetail } from '../events/details.js';
import type { RealtimeServerEvent } from '../events/server-events.js';

export type { RealtimeUsage, RealtimeUsageDetail };

/** The service's `usage` object, as far as it is read here (every field may be missing). */
interface ServiceUsage {
  input_tokens?: number;
  output_tokens?: number;
  total_tokens?: number;
  input_token_details?: { text_tokens?: number; audio_tokens?: number; cached_tokens?: number; image_tokens?: number };
  output_token_details?: { text_tokens?: number; audio_tokens?: number };
}

const ZERO: RealtimeUsage = {
  responses: 0,
  inputTokens: 0,
  outputTokens: 0,
  totalTokens: 0,
  inputTextTokens: 0,
  inputAudioTokens: 0,
  cachedTokens: 0,
  outputTextTokens: 0,
  outputAudioTokens: 0,
};

/** One response's usage in the element's terms (a number the service left out counts 0). */
export function usageOf(raw: ServiceUsage): RealtimeUsage {
  const n = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);
  const input = raw.input_token_details ?? {};
  const output = raw.output_token_details ?? {};
  return {
    responses: 1,
    inputTokens: n(raw.input_tokens),
    outputTokens: n(raw.output_tokens),
    totalTokens: n(raw.total_tokens) || n(raw.input_tokens) + n(raw.output_tokens),
    inputTextTokens: n(input.text_tokens),
    inputAudioTokens: n(input.audio_tokens),
    cachedTokens: n(input.cached_tokens),
    outputTextTokens: n(output.text_tokens),
    outputAudioTokens: n(output.audio_tokens),
  };
}

function add(a: RealtimeUsage, b: RealtimeUsage): RealtimeUsage {
  const sum = { ...a };
  for (const key of Object.keys(sum) as Array<keyof RealtimeUsage>) sum[key] += b[key];
  return sum;
}

export class UsageMeter {
  call: RealtimeUsage = ZERO;
  conversation: RealtimeUsage = ZERO;

  /** A new call: its own totals; the conversation's too when it is a new conversation. */
  begin(newConversation: boolean): void {
    this.call = ZERO;
    if (newConversation) this.conversation = ZERO;
  }

  /** The totals after a `response.done` that carries usage; undefined for any other event. */
  handle(event: RealtimeServerEvent): RealtimeUsageDetail | undefined {
    if (event.type !== 'response.done') return undefined;
    const response = (event as { response?: { id?: string; usage?: ServiceUsage | null } }).response;
    if (!response?.usage) return undefined;
    const usage = usageOf(response.usage);
    this.call = add(this.call, usage);
    this.conversation = add(this.conversation, usage);
    return { responseId: response.id ?? '', response: usage, call: this.call, conversation: this.conversation };
  }
}
