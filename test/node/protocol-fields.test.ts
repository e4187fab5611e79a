// Every field the official description documents for what a page sends (session, items, response.create's
// response) is accepted by the emulator and typed on the element side; an undocumented field stays an
// error at the emulator and in the types. The cases come from the description (scripts/protocol-fields.ts),
// through the committed test/fixtures/realtime-fields.json, which must match the description when it is
// beside the repository: a newly documented field fails here until it is supported.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import ts from 'typescript';
import { Conversation, type ServerEvent } from '../../emulator/src/conversation.ts';
import { defaultSession } from '../../emulator/src/session.ts';
import {
  DEFAULT_DESCRIPTION,
  FIXTURE,
  deriveFields,
  type DerivedFields,
  type FieldCase,
} from '../../scripts/protocol-fields.ts';

const fixture: DerivedFields = JSON.parse(readFileSync(FIXTURE, 'utf8'));
const kinds = ['session', 'item', 'response'] as const;
type Kind = (typeof kinds)[number];

test(
  'the committed field list is derived from the OpenAPI description (regenerate: npx tsx scripts/protocol-fields.ts)',
  {
    skip:
      !existsSync(DEFAULT_DESCRIPTION) &&
      'the description (../shared/protocol) is not beside this checkout; the committed list is used as it is',
  },
  () => {
    const fresh = deriveFields(JSON.parse(readFileSync(DEFAULT_DESCRIPTION, 'utf8')));
    assert.deepEqual(fixture, fresh);
  },
);

test('the field list covers what it must (a sanity floor, so an empty list cannot pass)', () => {
  const fields = (kind: Kind) => fixture[kind].map((c) => c.field).join('\n');
  for (const field of [
    'parallel_tool_calls',
    'reasoning.effort',
    'transcription.languages',
    'transcription.keywords',
    'transcription.delay',
    'truncation',
    'tracing',
    'prompt.id',
    'tools[]<mcp>.server_label',
    'idle_timeout_ms',
  ]) {
    assert.match(fields('session'), new RegExp(field.replace(/[[\]<>.]/g, '\\$&')), field);
  }
  for (const item of [
    '<message/user>',
    '<function_call>',
    '<function_call_output>',
    '<mcp_call>',
    '<mcp_approval_response>',
    '<mcp_list_tools>',
  ])
    assert.match(fields('item'), new RegExp(item), item);
  for (const field of ['conversation', 'metadata', 'input[]', 'parallel_tool_calls'])
    assert.ok(fields('response').includes(field), field);
  assert.ok(
    fixture.unknown.session.length > 10 && fixture.unknown.item.length > 5 && fixture.unknown.response.length > 10,
  );
});

/** What one client event makes a fresh emulator conversation emit. */
function answer(kind: Kind, value: unknown): ServerEvent[] {
  const emitted: ServerEvent[] = [];
  // session.update may not change the model: each documented model id is tried on a session of that model.
  const model =
    kind === 'session' && typeof (value as { model?: unknown }).model === 'string'
      ? (value as { model: string }).model
      : undefined;
  const conversation = new Conversation(defaultSession(model), { emit: (e) => emitted.push(e) });
  const event =
    kind === 'session'
      ? { type: 'session.update', session: value }
      : kind === 'item'
        ? { type: 'conversation.item.create', item: value }
        : { type: 'response.create', response: value };
  conversation.handleClientEvent(JSON.stringify(event));
  conversation.close();
  return emitted;
}

const errorOf = (events: ServerEvent[]) =>
  events.find((e) => e.type === 'error')?.error as { code: string; message: string } | undefined;

describe('the emulator accepts every documented field and refuses undocumented ones', () => {
  for (const kind of kinds) {
    test(`${kind}: every documented field is accepted (${fixture[kind].length} cases)`, () => {
      const refused: string[] = [];
      for (const c of fixture[kind]) {
        // An approval answering no request of this fresh conversation passed the schema: the conversation
        // looked the request up. Refusing it for that is the conversation's rule, not a refused field.
        const errors = c.candidates
          .map((candidate) => errorOf(answer(kind, candidate)))
          .map((error) => (error && /^No MCP approval request with id/.test(error.message) ? undefined : error));
        if (errors.every(Boolean)) refused.push(`${c.field}: ${errors[0]!.message}`);
      }
      assert.deepEqual(refused, []);
    });

    test(`${kind}: an undocumented field is an unknown_parameter error (${fixture.unknown[kind].length} objects)`, () => {
      const accepted = fixture.unknown[kind]
        .filter((c) => errorOf(answer(kind, c.candidates[0]))?.code !== 'unknown_parameter')
        .map((c) => c.field);
      assert.deepEqual(accepted, []);
    });
  }

  test('the session fields the emulator can honour are echoed in session.updated', () => {
    const update = {
      type: 'realtime',
      parallel_tool_calls: false,
      reasoning: { effort: 'high' },
      max_output_tokens: 512,
      truncation: { type: 'retention_ratio', retention_ratio: 0.5 },
      tracing: { workflow_name: 'checkout' },
      prompt: { id: 'pmpt_123', version: '2' },
      audio: {
        input: {
          transcription: { model: 'gpt-4o-transcribe', languages: ['en', 'fr'], keywords: ['Lit'], delay: 'low' },
        },
      },
    };
    const session = answer('session', update).find((e) => e.type === 'session.updated')?.session as Record<
      string,
      unknown
    >;
    for (const key of [
      'parallel_tool_calls',
      'reasoning',
      'max_output_tokens',
      'truncation',
      'tracing',
      'prompt',
    ] as const) {
      assert.deepEqual(session[key], update[key], key);
    }
    assert.deepEqual(
      (session.audio as { input: { transcription: unknown } }).input.transcription,
      update.audio.input.transcription,
    );
  });
});

describe("the element's types declare every documented field", () => {
  const types: Record<Kind, string> = {
    session: 'RealtimeSessionConfig',
    item: 'RealtimeItemInput',
    response: 'RealtimeResponseCreateParams',
  };

  /** Compiles one declaration per candidate; returns, for each, whether it type-checks. */
  function compiles(kind: Kind, cases: FieldCase[]): boolean[][] {
    const lines = [
      "import type { RealtimeSessionConfig } from './src/events/session-config.ts';",
      "import type { RealtimeItemInput, RealtimeResponseCreateParams } from './src/events/client-events.ts';",
    ];
    const first = lines.length;
    const where: Array<[number, number]> = [];
    cases.forEach((c, i) =>
      c.candidates.forEach(
        (candidate, j) => (
          where.push([i, j]),
          lines.push(`export const c${i}_${j}: ${types[kind]} = ${JSON.stringify(candidate)};`)
        ),
      ),
    );
    const file = `${process.cwd()}/__protocol_fields_${kind}.ts`;
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      types: [],
    };
    const host = ts.createCompilerHost(options);
    const read = host.getSourceFile.bind(host);
    host.getSourceFile = (name, version, ...rest) =>
      name === file ? ts.createSourceFile(name, lines.join('\n'), version) : read(name, version, ...rest);
    const program = ts.createProgram([file], options, host);
    const source = program.getSourceFile(file)!;
    const bad = new Set(
      ts.getPreEmitDiagnostics(program, source).map((d) => source.getLineAndCharacterOfPosition(d.start ?? 0).line),
    );
    const out = cases.map((c) => c.candidates.map(() => true));
    where.forEach(([i, j], k) => (out[i]![j] = !bad.has(first + k)));
    return out;
  }

  for (const kind of kinds) {
    test(`${kind}: every documented field type-checks as ${types[kind]}; an undocumented one does not`, () => {
      const ok = compiles(kind, fixture[kind]);
      assert.deepEqual(
        fixture[kind].filter((_, i) => !ok[i]!.some(Boolean)).map((c) => c.field),
        [],
        'documented, not typed',
      );
      const unknown = compiles(kind, fixture.unknown[kind]);
      assert.deepEqual(
        fixture.unknown[kind].filter((_, i) => unknown[i]![0]).map((c) => c.field),
        [],
        'undocumented, yet typed',
      );
    });
  }
});
