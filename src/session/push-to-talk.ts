import type { SessionView } from './session-view.js';

/** In push-to-talk, audio still in flight when the key is released belongs to the turn: commit after it. */
export const TALK_TAIL_MS = 200;

/** What push-to-talk needs of the session. */
export type TalkHost = Pick<
  SessionView,
  'attempt' | 'options' | 'state' | 'assistantSpeaking' | 'send' | 'interrupt' | 'applyMicrophone'
>;

/** Push-to-talk: the microphone is live only while the user holds the talk key; release sends the turn. */
export class PushToTalk {
  talking = false;
  #tail?: ReturnType<typeof setTimeout>;

  constructor(private readonly host: TalkHost) {}

  /** On press: the microphone opens, whatever was buffered is dropped and an answer still playing is cut off. */
  start(): boolean {
    const host = this.host;
    if (!host.options().pushToTalk || host.state() !== 'connected' || this.talking) return false;
    host.attempt()?.clearTimer(this.#tail);
    this.talking = true;
    if (host.assistantSpeaking()) host.interrupt();
    host.send({ type: 'input_audio_buffer.clear' });
    host.applyMicrophone();
    return true;
  }

  /** On release: the turn is committed and answered. */
  stop(): boolean {
    const { host } = this;
    const attempt = host.attempt();
    if (!this.talking || !attempt) return false;
    this.talking = false;
    this.#tail = attempt.setTimer(() => {
      host.applyMicrophone();
      host.send({ type: 'input_audio_buffer.commit' });
      host.send({ type: 'response.create' });
    }, TALK_TAIL_MS);
    return true;
  }
}
