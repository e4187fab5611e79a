import type { RealtimeServerEvent, ServerErrorEvent } from '../events/server-events.js';
import { RealtimeError } from './errors.js';

/** A data channel message as a server event, or why it is not one (reported, not fatal). */
export function parseServerEvent(data: unknown): RealtimeServerEvent | RealtimeError {
  let event: RealtimeServerEvent;
  try {
    event = JSON.parse(String(data)) as RealtimeServerEvent;
  } catch (error) {
    const why = 'The realtime service sent a message that is not JSON; it was ignored.';
    return new RealtimeError('invalid-event', why, { cause: error, fatal: false });
  }
  if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
    const why = 'The realtime service sent an event without a "type"; it was ignored.';
    return new RealtimeError('invalid-event', why, { cause: event, fatal: false });
  }
  return event;
}

/**
 * What the service's `error` event means for the call: nothing (its "nothing to cancel" answer to our
 * own cancel), the end of the session (its cap), or a problem the call survives.
 */
export function serviceError(event: ServerErrorEvent, ownCancels: Set<string>): RealtimeError | undefined {
  const error = event.error ?? { message: 'Unknown error' };
  if (error.code === 'response_cancel_not_active' && error.event_id && ownCancels.delete(error.event_id)) return;
  if (error.code === 'session_expired') {
    const message = `The session reached its maximum duration: ${error.message}`;
    return new RealtimeError('session-expired', message, { cause: error });
  }
  const message = `The realtime service reported an error: ${error.message}`;
  return new RealtimeError('service-error', message, { cause: error, fatal: false });
}

/** Whether the model's voice plays after this event (unchanged by any other event). */
export function speakingAfter(type: string, speaking: boolean): boolean {
  if (type === 'output_audio_buffer.started') return true;
  return type === 'output_audio_buffer.stopped' || type === 'output_audio_buffer.cleared' ? false : speaking;
}
