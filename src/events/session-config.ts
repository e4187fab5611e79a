/**
 * The GA session object (`session.update`, `client_secrets`), as far as a
 * browser page sets it. Partial by nature: `session.update` changes only the
 * fields present. `type: "realtime"` is required on every update and is added
 * by the session class when missing.
 */

export type RealtimeVoiceName = 'alloy' | 'ash' | 'ballad' | 'coral' | 'echo' | 'sage' | 'shimmer' | 'verse' | 'marin' | 'cedar';

export interface ServerVadTurnDetection {
  type: 'server_vad';
  threshold?: number;
  prefix_padding_ms?: number;
  silence_duration_ms?: number;
  create_response?: boolean;
  interrupt_response?: boolean;
  idle_timeout_ms?: number | null;
}

export interface SemanticVadTurnDetection {
  type: 'semantic_vad';
  eagerness?: 'low' | 'medium' | 'high' | 'auto';
  create_response?: boolean;
  interrupt_response?: boolean;
}

export interface RealtimeFunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
}

export interface RealtimeSessionConfig {
  type?: 'realtime' | 'transcription';
  model?: string;
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  audio?: {
    input?: {
      noise_reduction?: { type: 'near_field' | 'far_field' } | null;
      transcription?: { model: string; language?: string; prompt?: string } | null;
      turn_detection?: ServerVadTurnDetection | SemanticVadTurnDetection | null;
      [field: string]: unknown;
    };
    output?: {
      voice?: RealtimeVoiceName | (string & {}) | { id: string };
      speed?: number;
      [field: string]: unknown;
    };
  };
  tools?: Array<RealtimeFunctionTool | Record<string, unknown>>;
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; name: string } | Record<string, unknown>;
  max_output_tokens?: number | 'inf';
  [field: string]: unknown;
}
