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
test(
  'every GA server event of the OpenAPI description is in SERVER_EVENT_TYPES',
  { skip: !existsSync(openapiPath) && 'shared/ not beside this checkout' },
  () => {
    const spec = JSON.parse(readFileSync(openapiPath, 'utf8'));
    const union = spec.components.schemas.RealtimeServerEvent;
    const refs: string[] = (union.anyOf ?? union.oneOf).map((s: { $ref: string }) => s.$ref.split('/').pop());
    const types = refs.map(
      (name) =>
        spec.components.schemas[name].properties.type.const ?? spec.components.schemas[name].properties.type.enum?.[0],
    );
    assert.ok(types.length > 30, `read ${types.length} event types from the spec`);
    const missing = types.filter((t) => !(SERVER_EVENT_TYPES as readonly string[]).includes(t));
    assert.deepEqual(missing, []);
  },
);

test(
  'the emulator schemas require every field the OpenAPI description requires, for each event type it emits',
  { skip: !existsSync(openapiPath) && 'shared/ not beside this checkout' },
  async () => {
    const { serverEventSchemas } = await import('../../emulator/src/protocol/event-schemas.ts');
    const spec = JSON.parse(readFileSync(openapiPath, 'utf8'));
    const union = spec.components.schemas.RealtimeServerEvent;
    const byType = new Map<string, { required?: string[] }>();
    for (const ref of union.anyOf ?? union.oneOf) {
      const schema = spec.components.schemas[ref.$ref.split('/').pop()];
      byType.set(schema.properties.type.const ?? schema.properties.type.enum?.[0], schema);
    }
    const gaps: string[] = [];
    for (const [type, schema] of Object.entries(serverEventSchemas)) {
      const official = byType.get(type);
      if (!official) {
        gaps.push(`${type}: not a GA server event`);
        continue;
      }
      const shape = (schema as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> })
        .shape;
      for (const field of official.required ?? []) {
        if (!shape[field]) gaps.push(`${type}.${field}: not in our schema`);
        else if (shape[field].safeParse(undefined).success)
          gaps.push(`${type}.${field}: optional in our schema, required by the GA description`);
      }
    }
    assert.deepEqual(gaps, []);
  },
);

test('the element never imports the emulator or the server (they must not reach the browser bundle)', async () => {
  const { readdirSync, statSync } = await import('node:fs');
  const { join } = await import('node:path');
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ts$/.test(name) && /from ['"][./]*\/(emulator|server)\//.test(readFileSync(path, 'utf8')))
        offenders.push(path);
    }
  };
  walk('src');
  assert.deepEqual(offenders, []);
});

test("the voice list is the same in the reference, the server, the emulator and the element's types", async () => {
  const { VOICES: serverVoices } = await import('../../server/src/config.ts');
  const { VOICES: emulatorVoices } = await import('../../emulator/src/protocol/session-schema.ts');
  // The element has only a type (no runtime list in the bundle): read its union from the source.
  const source = readFileSync(new URL('../../src/events/session-config.ts', import.meta.url), 'utf8');
  const union = /export type RealtimeVoiceName =([^;]+);/.exec(source)?.[1] ?? '';
  const typeVoices = [...union.matchAll(/'([a-z]+)'/g)].map((m) => m[1]);
  assert.deepEqual([...serverVoices], reference.voices, 'server/src/config.ts');
  assert.deepEqual([...emulatorVoices], reference.voices, 'emulator/src/protocol/session-schema.ts');
  assert.deepEqual(typeVoices, reference.voices, 'src/events/session-config.ts RealtimeVoiceName');
});
