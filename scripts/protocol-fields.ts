/**
 * Every field the official OpenAPI description of the realtime API documents for what a page sends
 * (the session of `session.update`, the items of `conversation.item.create`, the `response` of
 * `response.create`), each with a small valid example built from its schema (enums, types, bounds),
 * and, for every object, a copy with one undocumented field (which must stay an error, as on the
 * service). test/node/protocol-fields.test.ts sends each to the emulator and compiles each against
 * the element's types.
 *
 * The description lives beside the repository (../shared/protocol), which a CI clone may not have,
 * so the derived list is committed as test/fixtures/realtime-fields.json; the test checks it against
 * the description whenever that is present. Regenerate after the description changes:
 *
 *   npx tsx scripts/protocol-fields.ts [path/to/openai-realtime-openapi.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The keywords of an OpenAPI schema object that the derivation reads. */
interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  pattern?: string;
  const?: unknown;
  enum?: unknown[];
  minimum?: number;
  nullable?: boolean;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
}
type Spec = { info?: { version?: string }; components: { schemas: Record<string, Schema> } };

/** One documented field: at least one of `candidates` (a whole session, item or response) must be accepted. */
export interface FieldCase {
  field: string;
  candidates: unknown[];
}

export interface DerivedFields {
  description: string;
  session: FieldCase[];
  item: FieldCase[];
  response: FieldCase[];
  /** Objects with one undocumented field added: each must be refused. */
  unknown: { session: FieldCase[]; item: FieldCase[]; response: FieldCase[] };
}

export const UNDOCUMENTED = 'x_undocumented_field';
export const DEFAULT_DESCRIPTION = new URL('../../shared/protocol/openai-realtime-openapi.json', import.meta.url);

export function deriveFields(spec: Spec): DerivedFields {
  const schemas = spec.components.schemas;
  const resolve = (schema: Schema | undefined): Schema => {
    let s = schema ?? {};
    for (let i = 0; s.$ref && i < 20; i++) {
      const { $ref, ...rest } = s;
      s = { ...schemas[$ref.split('/').pop()!], ...rest };
    }
    return s;
  };
  const variantsOf = (schema: Schema): Schema[] => {
    const s = resolve(schema);
    const list = s.anyOf ?? s.oneOf;
    if (!list) return [s];
    return list.flatMap((v) => variantsOf(v));
  };
  const isNull = (s: Schema) => s.type === 'null';
  const enumOf = (s: Schema): unknown[] | undefined => (s.const !== undefined ? [s.const] : s.enum);

  /** A small valid value for a schema: the first enum value, a bound, or an object of its required fields (and its type). */
  const example = (schema: Schema, depth = 0): unknown => {
    const variants = variantsOf(schema).filter((v) => !isNull(v));
    // Of "any string, or one of these": a listed one (a model id, a voice).
    const v = variants.find((x) => enumOf(x)?.length) ?? variants[0] ?? {};
    const listed = enumOf(v);
    if (listed?.length) return listed.find((x) => x !== null);
    switch (v.type) {
      case 'string':
        if (v.format === 'uri') return 'https://example.com/resource';
        if (v.pattern === '^tunnel_[a-z0-9]{32}$') return `tunnel_${'a'.repeat(32)}`;
        return 'example';
      case 'integer':
        return v.minimum ?? 1;
      case 'number':
        return v.minimum ?? 0.5;
      case 'boolean':
        return true;
      case 'array':
        return depth > 6 ? [] : [example(v.items ?? {}, depth + 1)];
      default: {
        if (!v.properties) return {};
        const out: Record<string, unknown> = {};
        for (const name of [...(v.properties.type ? ['type'] : []), ...(v.required ?? [])]) {
          if (v.properties[name] && !(name in out)) out[name] = example(v.properties[name], depth + 1);
        }
        return out;
      }
    }
  };

  /** The values a field is tried with: each enum value, each variant's example, null where allowed. */
  const values = (schema: Schema): Array<{ label: string; value: unknown }> => {
    const variants = variantsOf(schema);
    const out: Array<{ label: string; value: unknown }> = [];
    // "Any string, or one of these" (a model, a voice, a conversation): each listed value, not an arbitrary string.
    const listedStrings = variants.some((v) => v.type === 'string' && enumOf(v));
    for (const v of variants) {
      if (isNull(v)) out.push({ label: '=null', value: null });
      else if (enumOf(v))
        for (const e of enumOf(v)!) out.push({ label: `=${JSON.stringify(e)}`, value: v.type === 'array' ? [e] : e });
      else if (v.type === 'array' && enumOf(resolve(v.items))) {
        for (const e of enumOf(resolve(v.items))!) out.push({ label: `=[${JSON.stringify(e)}]`, value: [e] });
      } else if (!(listedStrings && v.type === 'string'))
        out.push({ label: variants.length > 1 ? `(${v.type ?? 'object'})` : '', value: example(v) });
    }
    if (resolve(schema).nullable) out.push({ label: '=null', value: null });
    // Unique by value.
    return out.filter((x, i) => out.findIndex((y) => JSON.stringify(y.value) === JSON.stringify(x.value)) === i);
  };

  const walk = (
    schema: Schema,
    wrap: (value: unknown) => unknown,
    label: string,
    cases: FieldCase[],
    unknown: FieldCase[],
    depth: number,
  ): void => {
    if (depth > 8) return;
    for (const variant of variantsOf(schema)) {
      if (variant.type === 'array' || variant.items) {
        walk(variant.items ?? {}, (v) => wrap([v]), `${label}[]`, cases, unknown, depth + 1);
        continue;
      }
      if (!variant.properties) continue;
      const base = example(variant) as Record<string, unknown>;
      const typeValues = enumOf(resolve(variant.properties.type)) ?? [];
      const name =
        typeValues.length === 1
          ? `${label}<${typeValues[0]}${variant.properties.role ? `/${enumOf(resolve(variant.properties.role))?.[0]}` : ''}>`
          : label;
      const dot = name ? `${name}.` : '';
      if (variant.additionalProperties !== true)
        unknown.push({ field: `${dot}${UNDOCUMENTED}`, candidates: [wrap({ ...base, [UNDOCUMENTED]: 'x' })] });
      // With a multi-valued `type`, a field may belong to any of them: each is a candidate.
      const bases = typeValues.length > 1 ? typeValues.map((t) => ({ ...base, type: t })) : [base];
      for (const [property, propertySchema] of Object.entries(variant.properties)) {
        if (property === 'type' && typeValues.length === 1) continue;
        if (property === 'type') {
          cases.push({ field: `${dot}type`, candidates: typeValues.map((t) => wrap({ ...base, type: t })) });
          continue;
        }
        for (const { label: valueLabel, value } of values(propertySchema)) {
          cases.push({
            field: `${dot}${property}${valueLabel}`,
            candidates: bases.map((b) => wrap({ ...b, [property]: value })),
          });
        }
        walk(
          propertySchema,
          (v) => wrap({ ...bases[0], [property]: v }),
          `${dot}${property}`,
          cases,
          unknown,
          depth + 1,
        );
      }
    }
  };

  // Maps (prompt variables, metadata, headers) have no properties but values worth walking.
  const walkMaps = (
    schema: Schema,
    wrap: (value: unknown) => unknown,
    label: string,
    cases: FieldCase[],
    unknown: FieldCase[],
  ) => {
    for (const variant of variantsOf(schema)) {
      const map = variant.additionalProperties;
      if (map && typeof map === 'object' && !variant.properties) {
        for (const { label: valueLabel, value } of values(map))
          cases.push({ field: `${label}.*${valueLabel}`, candidates: [wrap({ key: value })] });
        walk(map, (v) => wrap({ key: v }), `${label}.*`, cases, unknown, 0);
      }
    }
  };

  const derive = (root: Schema, wrap: (v: unknown) => unknown, label: string) => {
    const cases: FieldCase[] = [];
    const unknown: FieldCase[] = [];
    walk(root, wrap, label, cases, unknown, 0);
    // Second pass for maps anywhere below: find properties whose schema is a map.
    const visit = (schema: Schema, w: (v: unknown) => unknown, l: string, depth: number) => {
      if (depth > 8) return;
      for (const variant of variantsOf(schema)) {
        if (variant.type === 'array' || variant.items) {
          visit(variant.items ?? {}, (v) => w([v]), `${l}[]`, depth + 1);
          continue;
        }
        if (!variant.properties) {
          walkMaps(variant, w, l, cases, unknown);
          continue;
        }
        const base = example(variant) as Record<string, unknown>;
        for (const [property, propertySchema] of Object.entries(variant.properties)) {
          visit(propertySchema, (v) => w({ ...base, [property]: v }), `${l}.${property}`, depth + 1);
        }
      }
    };
    visit(root, wrap, label, 0);
    const unique = (list: FieldCase[]) => list.filter((c, i) => list.findIndex((d) => d.field === c.field) === i);
    return { cases: unique(cases), unknown: unique(unknown) };
  };

  const session = derive(schemas.RealtimeSessionCreateRequestGA!, (v) => v, '');
  const item = derive(schemas.RealtimeConversationItem!, (v) => v, '');
  const response = derive(schemas.RealtimeResponseCreateParams!, (v) => v, '');
  return {
    description: `openai-realtime-openapi.json ${spec.info?.version ?? ''}`.trim(),
    session: session.cases,
    item: item.cases,
    response: response.cases,
    unknown: { session: session.unknown, item: item.unknown, response: response.unknown },
  };
}

export const FIXTURE = new URL('../test/fixtures/realtime-fields.json', import.meta.url);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const source = process.argv[2] ?? fileURLToPath(DEFAULT_DESCRIPTION);
  const derived = deriveFields(JSON.parse(readFileSync(source, 'utf8')));
  writeFileSync(FIXTURE, `${JSON.stringify(derived, null, 1)}\n`);
  console.log(
    `${fileURLToPath(FIXTURE)}: ${derived.session.length} session, ${derived.item.length} item, ${derived.response.length} response cases`,
  );
}
