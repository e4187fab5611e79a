// Clients we did not write, against the emulator: a page written like
// Microsoft's WebRTC article and OpenAI's Agents SDK. Both play the model with
// `audio.srcObject = event.streams[0]`, which plays nothing when the answer's
// audio track has no stream (the emulator's answered `a=msid:- <track>` once).
// Each must be silent before the first answer and hear it while it plays.
// Runs with the speaking microphone: the greeting in the looping WAV is the turn.
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { startWithAgentsSdk, type AgentsClient } from './clients/agents-sdk.js';
import { startLikeMicrosoftsSample, type SampleClient } from './clients/microsoft-sample.js';
import { callLog, waitFor } from './e2e-harness.js';
import { PlayedAudioMeter } from './played-audio.js';
import type { Payload } from '../support/payload.js';

await executeServerCommand('set-microphone-permission', { setting: 'granted' });

const INSTRUCTIONS = 'You are the outside clients test assistant.';
let meter: PlayedAudioMeter | undefined;
let client: SampleClient | AgentsClient | undefined;

afterEach(() => {
  meter?.stop();
  client?.close();
  meter = client = undefined;
});

type Logged = { type: string; at: number; detail: Payload };

/**
 * Loudness before the first answer, and while the answers play: from the first answer's start until
 * an answer has played to its end. The first answer is cut by the WAV's second sentence within about
 * a second, less than the receive path's delay in some engines (Firefox plays the emulator's audio
 * ~600 ms after output_audio_buffer.started, Chromium ~200 ms); the second plays out in full.
 */
async function quietThenLoud(
  events: Logged[],
  played: PlayedAudioMeter,
  from: number,
): Promise<{ quiet: number; loud: number; answer: string }> {
  const started = await waitFor(
    events,
    (e) => e.type === 'output_audio_buffer.started',
    30_000,
    'output_audio_buffer.started',
  );
  const stopped = await waitFor(
    events,
    (e) => e.type === 'output_audio_buffer.stopped',
    40_000,
    'an answer played to its end',
  );
  const answer = `answers from ${Math.round(started.at - from)} to ${Math.round(stopped.at - from)} ms; events ${events.map((e) => e.type.replace(/^(response|conversation|input_audio_buffer|output_audio_buffer)\./, '')).join(' ')}`;
  return { quiet: played.max(from, started.at - 100), loud: played.max(started.at, stopped.at), answer };
}

describe('clients written elsewhere, with the emulator', () => {
  it("a page written like Microsoft's article (addTrack without a stream, realtime-channel, <audio> playing event.streams[0]) is silent, then hears the answer", async () => {
    const sample = await startLikeMicrosoftsSample({ tokenUrl: '/api/token' }, INSTRUCTIONS);
    client = sample;
    meter = new PlayedAudioMeter(sample.audioElement);
    const openedAt = await sample.opened;
    const { quiet, loud, answer } = await quietThenLoud(sample.events, meter, openedAt);
    expect(loud, `RMS of the played stream during the answer ${loud.toFixed(4)} (${answer})`).to.be.greaterThan(0.02);
    expect(quiet, `RMS of the played stream before any answer ${quiet.toFixed(4)}`).to.be.lessThan(0.005);
    expect(sample.audioElement.srcObject, 'the element plays the stream of the answer').to.be.instanceOf(MediaStream);

    // The emulator heard the microphone sent without a stream, and took the sample's session.update.
    const types = sample.events.map((e) => e.type);
    expect(types).to.include.members(['session.created', 'session.updated', 'input_audio_buffer.speech_started']);
    const log = await callLog(sample.callId);
    expect(log.errors, 'no error event in the call').to.deep.equal([]);
    expect(log.clientProblems).to.deep.equal([]);
  });

  it("the article's second flow: the offer posted to our /connect as FormData with an sdp field; the page hears the answer", async () => {
    const sample = await startLikeMicrosoftsSample({ connectUrl: '/api/connect' }, INSTRUCTIONS);
    client = sample;
    meter = new PlayedAudioMeter(sample.audioElement);
    const openedAt = await sample.opened;
    const { quiet, loud } = await quietThenLoud(sample.events, meter, openedAt);
    expect(loud, `RMS during the answer ${loud.toFixed(4)}`).to.be.greaterThan(0.02);
    expect(quiet, `RMS before any answer ${quiet.toFixed(4)}`).to.be.lessThan(0.005);
    expect(sample.callId, 'the call id from Location').to.match(/^rtc_/);
    expect((await callLog(sample.callId)).errors).to.deep.equal([]);
  });

  it("OpenAI's Agents SDK (RealtimeSession over OpenAIRealtimeWebRTC, baseUrl at the emulator) connects, is silent, then hears the answer", async () => {
    const sdk = await startWithAgentsSdk('/api/token', INSTRUCTIONS);
    client = sdk;
    meter = new PlayedAudioMeter(sdk.audioElement);
    expect(sdk.transport.status).to.equal('connected');
    const { quiet, loud, answer } = await quietThenLoud(sdk.events, meter, sdk.connectedAt);
    expect(loud, `RMS of the SDK's played stream during the answer ${loud.toFixed(4)} (${answer})`).to.be.greaterThan(
      0.02,
    );
    expect(quiet, `RMS of the SDK's played stream before any answer ${quiet.toFixed(4)}`).to.be.lessThan(0.005);

    const log = await callLog(sdk.transport.callId!);
    expect(log.found, 'the call is known to the emulator').to.equal(true);
    expect(log.errors, 'no error event for anything the SDK sent').to.deep.equal([]);
    expect(log.clientProblems, "the SDK's client events match the GA schemas").to.deep.equal([]);
  });
});
