/** Browser-side helpers of the end-to-end tests (the element ↔ server ↔ emulator path). */
import { executeServerCommand } from '@web/test-runner-commands';
import { clickPart } from '../support/click.js';
import { sleep } from '../support/harness.js';
import type { RealtimeVoice } from '../../src/realtime-voice.js';
import { engine } from '../support/engines.js';
import { AudioMeter } from './played-audio.js';
import type { Payload } from '../support/payload.js';

// Chromium starts its fake microphone file from the beginning at each capture; Firefox's microphone
// here is a PulseAudio source the runner plays the same WAV into, started again at each
// getUserMedia of any client on the page (the element, Microsoft's sample, the Agents SDK).
if (engine === 'firefox') {
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    await executeServerCommand('restart-microphone');
    return getUserMedia(constraints);
  };
}

export interface CallLog {
  found: boolean;
  serverTypes: string[];
  serverProblems: string[];
  clientTypes: string[];
  /** The `event_id` of each client event, in the order the emulator received them (undefined where none was set). */
  clientEventIds: Array<string | undefined>;
  clientProblems: string[];
  errors: unknown[];
  /** What each response of the call was given as its context (the emulator's record), oldest first. */
  contexts: Array<{ response_id: string; items: Array<{ id: string; type: string; role?: string; text: string }> }>;
}

export function callLog(callId: string): Promise<CallLog> {
  return executeServerCommand('emulator-call-log', { callId }) as Promise<CallLog>;
}

/** A real click on the element's main button (a user activation, as a person's). */
export function clickStart(el: RealtimeVoice): Promise<void> {
  return clickPart(el, 'button');
}

/** Reads the emulator's log of a call every 50 ms until `done` holds or `ms` pass; returns the last log read (the caller asserts). */
export async function pollCallLog(callId: string, done: (log: CallLog) => boolean, ms: number): Promise<CallLog> {
  const deadline = performance.now() + ms;
  for (;;) {
    const log = await callLog(callId);
    if (done(log) || performance.now() > deadline) return log;
    await sleep(50);
  }
}

/** Every server event the element dispatched, with the time it came. */
export function recordServerEvents(el: RealtimeVoice): Array<{ type: string; at: number; detail: Payload }> {
  const log: Array<{ type: string; at: number; detail: Payload }> = [];
  el.addEventListener('realtime-event', (e) =>
    log.push({ type: e.detail.type, at: performance.now(), detail: e.detail }),
  );
  return log;
}

/** Resolves with the first (past or future) logged event matching; rejects after ms. */
export async function waitFor<T extends { type: string }>(
  log: T[],
  test: (e: T) => boolean,
  ms = 30_000,
  what = 'event',
): Promise<T> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    const found = log.find(test);
    if (found) return found;
    await sleep(50);
  }
  throw new Error(`no ${what} within ${ms} ms; saw: ${log.map((e) => e.type).join(', ')}`);
}

/**
 * Loudness of the model's voice as the page receives it: an AnalyserNode on
 * the remote track, sampled every 20 ms (RMS of the time-domain signal).
 */
export class RemoteAudioMeter extends AudioMeter {
  constructor(el: RealtimeVoice) {
    const receiver = el.session.peerConnection!.getReceivers().find((r) => r.track.kind === 'audio')!;
    const stream = new MediaStream([receiver.track]);
    super(() => stream);
  }
}

// One sleep for all tests: the end-to-end ones import it from here with the rest of their helpers.
export { sleep };
