/**
 * A small reader of V8 .heapsnapshot files (what CDP's HeapProfiler.takeHeapSnapshot streams) and a
 * diff of two snapshots of one page taken in the same profiler session (object ids are stable):
 * growth by node type and constructor name; by what keeps the objects (kindOf: V8's compiled code,
 * the bench's own records, the element, Blink's C++); the objects new in the second that are still
 * alive, and where they hang: for each its shortest path from the GC roots (weak edges left out),
 * and the last old object on that path, the "anchor" that keeps the new ones. Used by
 * heap-snapshot.ts and by the leak bench (leaks.ts), which splits its heap figure with it.
 */
import type { CDPSession } from 'puppeteer-core';

interface Meta {
  node_fields: string[];
  node_types: [string[], ...unknown[]];
  edge_fields: string[];
  edge_types: [string[], ...unknown[]];
}

export interface Snapshot {
  nodeCount: number;
  totalSize: number;
  type: string[];
  name: string[];
  id: Float64Array;
  size: Float64Array;
  /** Shortest-path parent (node index, −1 for the root or the unreachable) and the edge's label. */
  parent: Int32Array;
  parentEdge: string[];
  /** Node index by id. */
  byId: Map<number, number>;
}

export function parseSnapshot(text: string): Snapshot {
  const raw = JSON.parse(text) as {
    snapshot: { meta: Meta };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  const meta = raw.snapshot.meta;
  const nf = meta.node_fields.length;
  const ef = meta.edge_fields.length;
  const [nType, nName, nId, nSize, nEdges] = ['type', 'name', 'id', 'self_size', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  ) as [number, number, number, number, number];
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => meta.edge_fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const count = raw.nodes.length / nf;
  const type: string[] = new Array(count);
  const name: string[] = new Array(count);
  const id = new Float64Array(count);
  const size = new Float64Array(count);
  const firstEdge = new Int32Array(count + 1);
  const byId = new Map<number, number>();
  let totalSize = 0;
  for (let i = 0, e = 0; i < count; i++) {
    const o = i * nf;
    type[i] = nodeTypes[raw.nodes[o + nType]!]!;
    name[i] = raw.strings[raw.nodes[o + nName]!]!;
    id[i] = raw.nodes[o + nId]!;
    size[i] = raw.nodes[o + nSize]!;
    totalSize += size[i]!;
    byId.set(id[i]!, i);
    firstEdge[i] = e;
    e += raw.nodes[o + nEdges]! * ef;
  }
  firstEdge[count] = raw.edges.length;
  // Breadth first from the root (node 0): the shortest retainer path of every reachable node.
  const parent = new Int32Array(count).fill(-1);
  const parentEdge: string[] = new Array(count);
  const seen = new Uint8Array(count);
  const queue = new Int32Array(count);
  let head = 0;
  let tail = 0;
  queue[tail++] = 0;
  seen[0] = 1;
  while (head < tail) {
    const from = queue[head++]!;
    for (let e = firstEdge[from]!; e < firstEdge[from + 1]!; e += ef) {
      const et = edgeTypes[raw.edges[e + eType]!]!;
      if (et === 'weak' || et === 'shortcut') continue;
      const to = raw.edges[e + eTo]! / nf;
      if (seen[to]) continue;
      seen[to] = 1;
      parent[to] = from;
      const n = raw.edges[e + eName]!;
      parentEdge[to] =
        et === 'element' || et === 'hidden' ? `[${n}]` : `${et === 'property' ? '.' : `${et}:`}${raw.strings[n]}`;
      queue[tail++] = to;
    }
  }
  return { nodeCount: count, totalSize, type, name, id, size, parent, parentEdge, byId };
}

/**
 * A heap snapshot of the page over CDP, after full GCs. Give every snapshot to be diffed the same
 * session, with HeapProfiler enabled on it: disabling the profiler (detaching) drops the object ids.
 */
export async function takeHeapSnapshot(cdp: CDPSession): Promise<{ text: string; usedSize: number }> {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  const chunks: string[] = [];
  const onChunk = ({ chunk }: { chunk: string }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  return { text: chunks.join(''), usedSize };
}

/** Bytes of V8's heap (reachable) by what keeps them (kindOf). */
export function v8HeapByKind(s: Snapshot): Map<string, number> {
  const kinds = new Map<string, number>();
  for (let i = 1; i < s.nodeCount; i++) {
    if (!reachable(s, i) || !inV8Heap(s, i)) continue;
    const kind = kindOf(s, i);
    kinds.set(kind, (kinds.get(kind) ?? 0) + s.size[i]!);
  }
  return kinds;
}

export const COMPILED_CODE = 'compiled code (JIT), bytecode, feedback';

const short = (s: string, n = 70) => (s.length > n ? `${s.slice(0, n)}…` : s).replace(/\s+/g, ' ');

/** Strings are grouped by type alone (their name is their text). */
function groupOf(s: Snapshot, i: number): string {
  const t = s.type[i]!;
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') return t;
  return `${t} ${short(s.name[i]!, 60)}`;
}

function label(s: Snapshot, i: number): string {
  return `${s.type[i]} ${short(s.name[i]!, 50)} @${s.id[i]}`;
}

/** The shortest path from the roots to node i, root first. */
export function retainerPath(s: Snapshot, i: number, hops = 14): string {
  const steps: string[] = [];
  let n = i;
  while (n > 0 && steps.length < hops) {
    steps.push(`${s.parentEdge[n]} → ${label(s, n)}`);
    n = s.parent[n]!;
  }
  if (n > 0) steps.push('…');
  return steps.reverse().join('\n        ');
}

interface Tally {
  count: number;
  bytes: number;
  samples: number[];
}

function add(map: Map<string, Tally>, key: string, bytes: number, node: number): void {
  const t = map.get(key) ?? { count: 0, bytes: 0, samples: [] };
  t.count++;
  t.bytes += bytes;
  // The first two and the latest: in a growing array those are the oldest and the newest.
  if (t.samples.length < 3) t.samples.push(node);
  else t.samples[2] = node;
  map.set(key, t);
}

/**
 * What keeps node i, from its shortest retainer path: compiled code (V8's JIT at work), the bench's
 * own records (pages/instrument.js, `window.__bench`), the element (a path through a
 * `<realtime-voice>`), Blink's C++ (a path from its persistent roots without either), or other.
 */
export function kindOf(s: Snapshot, i: number): string {
  if (s.type[i] === 'code') return COMPILED_CODE;
  const path: number[] = [];
  for (let n = i; n > 0; n = s.parent[n]!) path.push(n);
  const names = path.map((n) => `${s.parentEdge[n]} ${s.name[n]}`);
  // window.__bench, and each peer connection's record (`__rec`: a live connection is kept by Blink).
  if (names.some((x) => x.startsWith('.__bench ') || x.startsWith('.__rec ')))
    return 'the bench instrument (window.__bench, pc.__rec)';
  // Code, feedback, and the lists of optimized code that depends on a hidden class or a protector cell.
  const compiled = ['internal:code ', 'internal:feedback', 'internal:dependent_code '];
  if (names.some((x) => compiled.some((edge) => x.startsWith(edge)))) return COMPILED_CODE;
  if (path.some((n) => s.name[n]!.startsWith('<realtime-voice'))) return 'the element (path through <realtime-voice>)';
  const root = path.at(-2);
  if (root !== undefined && s.name[root]!.startsWith('C++')) return `Blink's C++ (${s.name[root]})`;
  return 'other (V8 and Blink internals, the global object)';
}

function reachable(s: Snapshot, i: number): boolean {
  return i === 0 || s.parent[i]! >= 0;
}

/**
 * V8's own heap (what Runtime.getHeapUsage and the leak bench's heap figure count): every node but
 * Blink's C++ objects, which are `native` without V8's `system /` prefix.
 */
export function inV8Heap(s: Snapshot, i: number): boolean {
  return s.type[i] !== 'native' || s.name[i]!.startsWith('system /');
}

export function diffSnapshots(
  a: Snapshot,
  b: Snapshot,
  cycles: number,
  top = 25,
  only: (s: Snapshot, i: number) => boolean = () => true,
  unit = 'cycle',
): string {
  const out: string[] = [];
  const perCycle = (n: number) => `${(n / cycles).toFixed(1)}/${unit}`;
  out.push(
    `total self size ${a.totalSize} → ${b.totalSize} B (${b.totalSize - a.totalSize}, ${perCycle(b.totalSize - a.totalSize)}), nodes ${a.nodeCount} → ${b.nodeCount}`,
  );

  // 1. By group, all objects.
  const groups = new Map<string, { a: number; b: number; ca: number; cb: number }>();
  for (const [s, side] of [
    [a, 'a'],
    [b, 'b'],
  ] as const) {
    for (let i = 0; i < s.nodeCount; i++) {
      if (!reachable(s, i) || !only(s, i)) continue;
      const g = groupOf(s, i);
      const t = groups.get(g) ?? { a: 0, b: 0, ca: 0, cb: 0 };
      if (side === 'a') {
        t.a += s.size[i]!;
        t.ca++;
      } else {
        t.b += s.size[i]!;
        t.cb++;
      }
      groups.set(g, t);
    }
  }
  const rows = [...groups].filter(([, t]) => t.b !== t.a || t.cb !== t.ca);
  rows.sort((x, y) => Math.abs(y[1].b - y[1].a) - Math.abs(x[1].b - x[1].a));
  out.push(`\n-- by type and name (reachable), largest change first --`);
  for (const [g, t] of rows.slice(0, top))
    out.push(`  ${String(t.b - t.a).padStart(8)} B  ${String(t.cb - t.ca).padStart(6)} objs   ${g}`);

  // 2. Net change by what keeps the objects (all of them, old and new).
  const net = new Map<string, number[]>();
  for (const [s, k] of [
    [a, 0],
    [b, 1],
  ] as const) {
    for (let i = 1; i < s.nodeCount; i++) {
      if (!reachable(s, i) || !only(s, i)) continue;
      const kind = kindOf(s, i);
      const t = net.get(kind) ?? [0, 0];
      t[k]! += s.size[i]!;
      net.set(kind, t);
    }
  }
  out.push(`\n-- net change by what keeps the objects --`);
  for (const [k, [x, y]] of [...net].sort((p, q) => q[1][1]! - q[1][0]! - (p[1][1]! - p[1][0]!)))
    if (y !== x)
      out.push(`  ${String(y! - x!).padStart(8)} B  ${perCycle(y! - x!).padStart(14)}   ${k}  (${x} → ${y})`);

  // 3. New objects (ids not in a), still alive and reachable in b.
  const fresh = new Map<string, Tally>();
  const anchors = new Map<string, Tally>();
  const kinds = new Map<string, Tally>();
  let freshBytes = 0;
  for (let i = 1; i < b.nodeCount; i++) {
    if (a.byId.has(b.id[i]!) || !reachable(b, i) || !only(b, i)) continue;
    freshBytes += b.size[i]!;
    add(fresh, groupOf(b, i), b.size[i]!, i);
    // The anchor: the last old object on the path from the roots.
    let n = b.parent[i]!;
    let edge = b.parentEdge[i]!;
    while (n > 0 && !a.byId.has(b.id[n]!)) {
      edge = b.parentEdge[n]!;
      n = b.parent[n]!;
    }
    add(anchors, `${label(b, n)} ${edge.startsWith('[') ? '[…]' : edge}`, b.size[i]!, i);
    add(kinds, kindOf(b, i), b.size[i]!, i);
  }
  out.push(`\n-- new objects still alive, by what keeps them --`);
  for (const [k, t] of [...kinds].sort((x, y) => y[1].bytes - x[1].bytes))
    if (t.bytes)
      out.push(
        `  ${String(t.bytes).padStart(8)} B  ${String(t.count).padStart(6)} objs  ${perCycle(t.bytes).padStart(14)}   ${k}`,
      );
  out.push(`\n-- new objects still alive: ${freshBytes} B (${perCycle(freshBytes)}) --`);
  const freshRows = [...fresh].sort((x, y) => y[1].bytes - x[1].bytes);
  for (const [g, t] of freshRows.slice(0, top))
    out.push(`  ${String(t.bytes).padStart(8)} B  ${String(t.count).padStart(6)} objs   ${g}`);

  out.push(`\n-- where the new objects hang: the last old object on their path, and its edge --`);
  const anchorRows = [...anchors].sort((x, y) => y[1].bytes - x[1].bytes);
  for (const [g, t] of anchorRows.slice(0, top)) {
    out.push(`  ${String(t.bytes).padStart(8)} B  ${String(t.count).padStart(6)} objs   ${g}`);
    out.push(`        path: ${retainerPath(b, t.samples[0]!)}`);
  }

  out.push(`\n-- retainer paths of the largest new groups --`);
  for (const [g, t] of freshRows.slice(0, 8)) {
    out.push(`  ${g} (${t.count}, ${t.bytes} B)`);
    for (const n of new Set(t.samples.slice(0, 2))) out.push(`      ${retainerPath(b, n)}`);
  }
  return out.join('\n');
}
