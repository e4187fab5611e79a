/**
 * Client events as the service checks them before acting on one: JSON, an
 * object, not nested too deep, a known `type`, and the event's schema. A
 * refused event becomes the service's `error` event, naming the client's
 * `event_id` when it sent one.
 */
import { clientEventSchemas, type ClientEventType } from '../protocol/event-schemas.js';
import { MAX_EVENT_DEPTH, nestingExceeds } from '../protocol/limits.js';
import { describeIssue } from '../protocol/session-schema.js';
import type { ServerEvent } from './items.js';

/** The service's `error` event. */
export function errorEvent(
  code: string,
  message: string,
  param?: string,
  clientEventId?: string,
  type = 'invalid_request_error',
): ServerEvent {
  return {
    type: 'error',
    error: { type, code, message, param: param ?? null, event_id: clientEventId ?? null },
  };
}

export type CheckedClientEvent =
  { ok: true; event: ServerEvent; clientEventId?: string } | { ok: false; error: ServerEvent };

/** A client event (text from the data channel or WebSocket, or already parsed), checked as the service does. */
export function checkClientEvent(raw: unknown): CheckedClientEvent {
  const refuse = (code: string, message: string, param?: string, clientEventId?: string): CheckedClientEvent => ({
    ok: false,
    error: errorEvent(code, message, param, clientEventId),
  });
  let event: unknown = raw;
  if (typeof raw === 'string') {
    try {
      event = JSON.parse(raw);
    } catch {
      return refuse('invalid_json', 'The server could not parse the event: it is not valid JSON.');
    }
  }
  if (!event || typeof event !== 'object' || Array.isArray(event)) {
    return refuse('invalid_value', 'Each event must be a JSON object with a "type".', 'type');
  }
  const record = event as { type?: unknown; event_id?: unknown };
  const clientEventId = typeof record.event_id === 'string' ? record.event_id : undefined;
  if (nestingExceeds(event, MAX_EVENT_DEPTH)) {
    return refuse(
      'invalid_value',
      `The event is nested more than ${MAX_EVENT_DEPTH} levels deep.`,
      undefined,
      clientEventId,
    );
  }
  if (typeof record.type !== 'string') {
    return refuse('missing_required_parameter', "Missing required parameter: 'type'.", 'type', clientEventId);
  }
  // Own keys only: a type such as "constructor" or "__proto__" must not find Object.prototype's members.
  const schema = Object.hasOwn(clientEventSchemas, record.type)
    ? clientEventSchemas[record.type as ClientEventType]
    : undefined;
  if (!schema) {
    return refuse(
      'invalid_value',
      `Invalid value: '${record.type.slice(0, 80)}'. Supported values are: '${Object.keys(clientEventSchemas).join("', '")}'.`,
      'type',
      clientEventId,
    );
  }
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const issue = describeIssue(parsed.error, '', event);
    return refuse(issue.code, issue.message, issue.param, clientEventId);
  }
  return { ok: true, event: parsed.data as ServerEvent, clientEventId };
}
