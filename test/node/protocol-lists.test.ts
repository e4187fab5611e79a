// The project's own protocol lists must match the protocol reference
// (test/fixtures/realtime-events.json, a copy of docs' realtime-events.json),
// and, where the shared OpenAPI description is beside the repository, it too.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CLIENT_EVENT_TYPES } from '../../src/events/client-events.ts';
import { SERVER_EVENT_TYPES } from '../../src/events/server-events.ts';

const reference = JSON.parse(readFileSync(new URL('../fixtures/realtime-events.json', import.meta.url), 'utf8'));

test('SERVER_EVENT_TYPES is exactly the reference list of server events', () => {
  assert.deepEqual([...SERVER_EVENT_TYPES].sort(), [...reference.server_events].sort());
});

test('CLIENT_EVENT_TYPES is exactly the reference list of client events', () => {
  assert.deepEqual([...CLIENT_EVENT_TYPES].sort(), [...reference.client_events].sort());
});

const openapiPath = new URL('../../../shared/protocol/openai-realtime-openapi.json', import.meta.url);
test('every GA server event of the OpenAPI description is in SERVER_EVENT_TYPES', { skip: !existsSync(openapiPath) && 'shared/ not beside this checkout' }, () => {
  const spec = JSON.parse(readFileSync(openapiPath, 'utf8'));
  const union = spec.components.schemas.RealtimeServerEvent;
  const refs: string[] = (union.anyOf ?? union.oneOf).map((s: { $ref: string }) => s.$ref.split('/').pop());
  const types = refs.map((name) => spec.components.schemas[name].properties.type.const ?? spec.components.schemas[name].properties.type.enum?.[0]);
  assert.ok(types.length > 30, `read ${types.length} event types from the spec`);
  const missing = types.filter((t) => !(SERVER_EVENT_TYPES as readonly string[]).includes(t));
  assert.deepEqual(missing, []);
});
