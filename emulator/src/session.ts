/**
 * The effective session of a call: the service's defaults, then the
 * session baked into the token, then every accepted `session.update`
 * (partial: only the fields present change; `turn_detection` is replaced
 * as a whole, with the defaults of its type for the fields left out).
 */
import { newId } from './ids.js';
import type { SessionInput } from './protocol/session-schema.js';

export const DEFAULT_INSTRUCTIONS =
  'Your knowledge cutoff is 2023-10. You are a helpful, witty, and friendly AI. Act like a human, but remember that you are not a human.';

/** One hour, the service's documented maximum session length. */
export const MAX_SESSION_SECONDS = 60 * 60;

export interface TurnDetection {
  type: 'server_vad' | 'semantic_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  eagerness?: string;
  create_response: boolean;
  interrupt_response: boolean;
  idle_timeout_ms?: number | null;
}

export interface EffectiveSession {
  type: 'realtime';
  object: 'realtime.session';
  id: string;
  model: string;
  output_modalities: ['audio'] | ['text'];
  instructions: string;
  tools: NonNullable<SessionInput['tools']>;
  tool_choice: NonNullable<SessionInput['tool_choice']>;
  /** Echoed once a page sets it; the service's reasoning models honour it, this "model" makes one call a turn anyway. */
  parallel_tool_calls?: boolean;
  reasoning?: NonNullable<SessionInput['reasoning']>;
  max_output_tokens: number | 'inf';
  tracing: SessionInput['tracing'] | null;
  truncation: NonNullable<SessionInput['truncation']>;
  prompt: SessionInput['prompt'] | null;
  include: string[] | null;
  expires_at: number;
  audio: {
    input: {
      format: { type: string; rate?: number };
      noise_reduction: { type?: string } | null;
      transcription: NonNullable<NonNullable<SessionInput['audio']>['input']>['transcription'] | null;
      turn_detection: TurnDetection | null;
    };
    output: { format: { type: string; rate?: number }; voice: string | { id: string }; speed: number };
  };
}

const SERVER_VAD_DEFAULTS = { threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: 200, idle_timeout_ms: null };

export function defaultSession(model = 'gpt-realtime'): EffectiveSession {
  return {
    type: 'realtime',
    object: 'realtime.session',
    id: newId('sess'),
    model,
    output_modalities: ['audio'],
    instructions: DEFAULT_INSTRUCTIONS,
    tools: [],
    tool_choice: 'auto',
    max_output_tokens: 'inf',
    tracing: null,
    truncation: 'auto',
    prompt: null,
    include: null,
    expires_at: Math.floor(Date.now() / 1000) + MAX_SESSION_SECONDS,
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        noise_reduction: null,
        transcription: null,
        turn_detection: { type: 'server_vad', ...SERVER_VAD_DEFAULTS, create_response: true, interrupt_response: true },
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'alloy', speed: 1 },
    },
  };
}

/** Applies a validated partial session to the effective one (in place) and returns it. */
export function applySession(target: EffectiveSession, update: SessionInput): EffectiveSession {
  if (update.model !== undefined) target.model = update.model;
  if (update.instructions !== undefined) target.instructions = update.instructions;
  if (update.output_modalities !== undefined) target.output_modalities = update.output_modalities;
  if (update.tools !== undefined) target.tools = update.tools;
  if (update.tool_choice !== undefined) target.tool_choice = update.tool_choice;
  if (update.parallel_tool_calls !== undefined) target.parallel_tool_calls = update.parallel_tool_calls;
  if (update.reasoning !== undefined) target.reasoning = update.reasoning;
  if (update.max_output_tokens !== undefined) target.max_output_tokens = update.max_output_tokens;
  if (update.tracing !== undefined) target.tracing = update.tracing;
  if (update.truncation !== undefined) target.truncation = update.truncation;
  if (update.prompt !== undefined) target.prompt = update.prompt;
  if (update.include !== undefined) target.include = update.include;
  const input = update.audio?.input;
  if (input) {
    if (input.format !== undefined) target.audio.input.format = input.format;
    if (input.noise_reduction !== undefined) target.audio.input.noise_reduction = input.noise_reduction;
    if (input.transcription !== undefined) target.audio.input.transcription = input.transcription;
    if (input.turn_detection !== undefined) {
      const td = input.turn_detection;
      target.audio.input.turn_detection =
        td === null
          ? null
          : td.type === 'server_vad'
            ? { ...SERVER_VAD_DEFAULTS, create_response: true, interrupt_response: true, ...td }
            : { eagerness: 'auto', create_response: true, interrupt_response: true, ...td };
    }
  }
  const output = update.audio?.output;
  if (output) {
    if (output.format !== undefined) target.audio.output.format = output.format;
    if (output.voice !== undefined) target.audio.output.voice = output.voice;
    if (output.speed !== undefined) target.audio.output.speed = output.speed;
  }
  return target;
}

/** The VAD knobs for a turn-detection setting; semantic_vad's eagerness becomes a silence length. */
export function vadSettings(td: TurnDetection): {
  threshold: number;
  prefix_padding_ms: number;
  silence_duration_ms: number;
} {
  if (td.type === 'semantic_vad') {
    const silence = { low: 1500, medium: 800, auto: 800, high: 400 }[td.eagerness ?? 'auto'] ?? 800;
    return { threshold: 0.5, prefix_padding_ms: 300, silence_duration_ms: silence };
  }
  return {
    threshold: td.threshold ?? SERVER_VAD_DEFAULTS.threshold,
    prefix_padding_ms: td.prefix_padding_ms ?? SERVER_VAD_DEFAULTS.prefix_padding_ms,
    silence_duration_ms: td.silence_duration_ms ?? SERVER_VAD_DEFAULTS.silence_duration_ms,
  };
}

export function voiceName(session: EffectiveSession): string {
  const voice = session.audio.output.voice;
  return typeof voice === 'string' ? voice : 'alloy';
}
