/**
 * Where the bytes of a built file go: each source module's share of the minified output, from its
 * source map (`npm run bench` reports the core's; run alone: `npx tsx scripts/bundle-bytes.ts FILE`).
 * A module's gzip share is its text gzipped alone, so the shares add up to more than the file.
 */
import { eachMapping, TraceMap } from '@jridgewell/trace-mapping';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface ModuleBytes {
  module: string;
  raw: number;
  gzip: number;
}

export function bytesByModule(file: string): ModuleBytes[] {
  const code = readFileSync(file, 'utf8');
  const map = new TraceMap(readFileSync(`${file}.map`, 'utf8'));
  const lines = code.split('\n');
  const segments: { line: number; column: number; source: string }[] = [];
  eachMapping(map, (m) => segments.push({ line: m.generatedLine, column: m.generatedColumn, source: m.source ?? '?' }));
  segments.sort((a, b) => a.line - b.line || a.column - b.column);
  const text = new Map<string, string>();
  segments.forEach((segment, i) => {
    const next = segments[i + 1];
    const line = lines[segment.line - 1] ?? '';
    const end = next && next.line === segment.line ? next.column : line.length;
    const module = segment.source.replace(/^.*node_modules\//, '').replace(/^.*?\/?src\//, 'src/');
    text.set(module, (text.get(module) ?? '') + line.slice(segment.column, end));
  });
  return [...text]
    .map(([module, t]) => ({ module, raw: t.length, gzip: gzipSync(t, { level: 9 }).length }))
    .sort((a, b) => b.raw - a.raw);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const { module, raw, gzip } of bytesByModule(process.argv[2] ?? 'dist/realtime-voice.bundle.js'))
    console.log(`${String(raw).padStart(7)} ${String(gzip).padStart(6)}  ${module}`);
}
