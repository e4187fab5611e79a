/**
 * The session settings `npm start` adds to every call, which the end-to-end
 * tests use too, so they test what a person gets: the user's side of the
 * transcript, and half a second of silence before the model answers (the
 * service's default, 200 ms, cuts people off mid-sentence).
 */
export const DEMO_SESSION_DEFAULTS = {
  audio: {
    input: {
      transcription: { model: 'gpt-4o-mini-transcribe' },
      turn_detection: { type: 'server_vad', silence_duration_ms: 500 },
    },
  },
};
