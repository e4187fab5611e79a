/**
 * The GA session object (`session.update`, `client_secrets`), as far as a
 * browser page sets it. Partial by nature: `session.update` changes only the
 * fields present. `type: "realtime"` is required on every update and is added
 * by the session class when missing.
 */

export type RealtimeVoiceName =
  'alloy' | 'ash' | 'ballad' | 'coral' | 'echo' | 'sage' | 'shimmer' | 'verse' | 'marin' | 'cedar';

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

/** A function the model may call; the page (or a server) runs it. */
export interface RealtimeFunctionTool {
  type: 'function';
  name?: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
}

/** Which tools of an MCP server count: by name, or the read-only ones. */
export interface RealtimeMcpToolFilter {
  tool_names?: string[];
  read_only?: boolean;
}

/** A remote MCP server (or a connector) whose tools the service calls itself. */
export interface RealtimeMcpTool {
  type: 'mcp';
  server_label: string;
  server_url?: string;
  connector_id?:
    | 'connector_dropbox'
    | 'connector_gmail'
    | 'connector_googlecalendar'
    | 'connector_googledrive'
    | 'connector_microsoftteams'
    | 'connector_outlookcalendar'
    | 'connector_outlookemail'
    | 'connector_sharepoint';
  tunnel_id?: string;
  authorization?: string;
  server_description?: string;
  headers?: Record<string, string> | null;
  allowed_tools?: string[] | RealtimeMcpToolFilter | null;
  allowed_callers?: Array<'direct' | 'programmatic'> | null;
  require_approval?: { always?: RealtimeMcpToolFilter; never?: RealtimeMcpToolFilter } | 'always' | 'never' | null;
  defer_loading?: boolean;
}

export type RealtimeSessionTool = RealtimeFunctionTool | RealtimeMcpTool;

export type RealtimeToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; name: string }
  | { type: 'mcp'; server_label: string; name?: string | null };

export type RealtimeAudioFormat = { type: 'audio/pcm'; rate?: 24000 } | { type: 'audio/pcmu' } | { type: 'audio/pcma' };

export type RealtimeVoiceSetting = RealtimeVoiceName | (string & {}) | { id: string };

/** Reasoning models (gpt-realtime-2): how hard the model thinks before it answers. */
export interface RealtimeReasoning {
  effort?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

/** A part a prompt variable can hold besides a string. */
export type RealtimePromptInput =
  | { type: 'input_text'; text: string; prompt_cache_breakpoint?: { mode: 'explicit' } }
  | {
      type: 'input_image';
      image_url?: string | null;
      file_id?: string | null;
      detail: 'low' | 'high' | 'auto' | 'original';
      prompt_cache_breakpoint?: { mode: 'explicit' };
    }
  | {
      type: 'input_file';
      file_id?: string | null;
      filename?: string;
      file_data?: string;
      file_url?: string;
      detail?: 'auto' | 'low' | 'high';
      prompt_cache_breakpoint?: { mode: 'explicit' };
    };

/** A reusable prompt stored at the service, by id (and version), with its variables. */
export interface RealtimePrompt {
  id: string;
  version?: string | null;
  variables?: Record<string, string | RealtimePromptInput> | null;
}

export interface RealtimeTranscriptionConfig {
  model?: string;
  language?: string;
  languages?: string[];
  keywords?: string[];
  prompt?: string;
  delay?: 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
}

export type RealtimeTruncation =
  | 'auto'
  | 'disabled'
  | { type: 'retention_ratio'; retention_ratio: number; token_limits?: { post_instructions?: number } };

export type RealtimeTracing =
  'auto' | { workflow_name?: string; group_id?: string; metadata?: Record<string, unknown> } | null;

/**
 * Every field the GA description documents for a realtime session (test/node/protocol-fields.test.ts
 * compiles each against this type, and an undocumented one must not compile).
 */
export interface RealtimeSessionConfig {
  type?: 'realtime' | 'transcription';
  model?: string;
  instructions?: string;
  output_modalities?: Array<'audio' | 'text'>;
  audio?: {
    input?: {
      format?: RealtimeAudioFormat;
      noise_reduction?: { type?: 'near_field' | 'far_field' } | null;
      transcription?: RealtimeTranscriptionConfig | null;
      turn_detection?: ServerVadTurnDetection | SemanticVadTurnDetection | null;
    };
    output?: {
      format?: RealtimeAudioFormat;
      voice?: RealtimeVoiceSetting;
      speed?: number;
    };
  };
  include?: Array<'item.input_audio_transcription.logprobs'>;
  tracing?: RealtimeTracing;
  tools?: RealtimeSessionTool[];
  tool_choice?: RealtimeToolChoice;
  /** Reasoning models only: whether the model may call several tools at once. */
  parallel_tool_calls?: boolean;
  reasoning?: RealtimeReasoning;
  max_output_tokens?: number | 'inf';
  truncation?: RealtimeTruncation;
  prompt?: RealtimePrompt | null;
}
