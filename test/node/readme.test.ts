// The README's tables are checked against custom-elements.json (generated from
// the source): every attribute, method and event of the element is documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const readme = readFileSync('README.md', 'utf8');
const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
const element = manifest.modules
  .flatMap((m: { declarations?: unknown[] }) => m.declarations ?? [])
  .find((d: { tagName?: string }) => d.tagName === 'realtime-voice');

test('every attribute in custom-elements.json is in the README attribute table, with its property', () => {
  for (const attribute of element.attributes as Array<{ name: string; fieldName: string }>) {
    assert.match(
      readme,
      new RegExp(`\\| \`${attribute.name}\` \\| \`${attribute.fieldName}\` \\|`),
      `${attribute.name} / ${attribute.fieldName}`,
    );
  }
});

test('every public method is in the README method table', () => {
  const methods = (element.members as Array<{ kind: string; name: string; privacy?: string; static?: boolean }>)
    .filter(
      (m) =>
        m.kind === 'method' &&
        !m.privacy &&
        !m.static &&
        !m.name.startsWith('#') &&
        !['render', 'updated', 'connectedCallback', 'disconnectedCallback'].includes(m.name),
    )
    .map((m) => m.name);
  assert.ok(methods.length >= 6, methods.join());
  for (const name of methods) assert.match(readme, new RegExp(`\\| \`${name}\\(`), name);
});

test("the element's own events are in the README event table, and the server events are described", () => {
  for (const event of (element.events as Array<{ name: string }>).filter((e) => e.name.startsWith('realtime-'))) {
    assert.match(readme, new RegExp(`\\| \`${event.name}\` \\|`), event.name);
  }
  assert.match(readme, /every server event type, verbatim/);
});
