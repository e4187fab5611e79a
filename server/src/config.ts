/** The server's session policy and limits; the full environment-driven config is the reference server's own issue. */
export const VOICES = ['alloy', 'ash', 'ballad', 'coral', 'echo', 'sage', 'shimmer', 'verse', 'marin', 'cedar'] as const;

export interface ServerConfig {
  /** Voice when the browser sends none. */
  defaultVoice?: string;
  /** Server-side instructions. */
  instructions?: string;
  /** What to do with instructions from the browser. */
  browserInstructions: 'accept' | 'append' | 'ignore';
  maxInstructionsLength: number;
  /** Ask the service for `?webrtcfilter=on` (keeps instructions and tools off the browser's data channel). */
  webrtcFilter: boolean;
  /** Extra GA session fields for every call (e.g. input transcription). */
  sessionDefaults?: Record<string, unknown>;
}

export const DEFAULT_CONFIG: ServerConfig = {
  browserInstructions: 'accept',
  maxInstructionsLength: 4000,
  webrtcFilter: false,
};
