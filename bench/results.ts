/**
 * The flat results record every benchmark module writes into (keys carry
 * their unit), the few statistics they share, and the one writer of bench/results.json.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const RESULTS_FILE = 'bench/results.json';

export type Results = Record<string, number | string>;

export function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

/** Nearest-rank percentile (p in 0..100) of the numbers given; NaN for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `<prefix>_median` and `<prefix>_p90` (rounded to 0.1) into results. */
export function putDistribution(results: Results, prefix: string, values: number[]): void {
  results[`${prefix}_median`] = round(median(values));
  results[`${prefix}_p90`] = round(percentile(values, 90));
}

export function ratio(a: number, b: number, digits = 2): number {
  return round(a / b, digits);
}

export function log(message: string): void {
  console.log(`[bench] ${message}`);
}

/**
 * Merges `results` into bench/results.json (whatever else is there stays: parts run alone, the soak; a
 * family of keys it measured is replaced whole)
 * and stamps the run's date and machine; returns what was written. Read at the very end: another
 * bench may have written the file meanwhile.
 */
export function writeResults(results: Results, forget: string[] = []): Results {
  const previous: Results = existsSync(RESULTS_FILE) ? JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) : {};
  for (const key of forget) delete previous[key];
  // A family of keys (`core_module_gzip_bytes:<module>`) is replaced whole by a run that measured it: a module
  // that left the core must not keep its old figure.
  const families = Object.keys(results)
    .filter((key) => key.includes(':'))
    .map((key) => key.slice(0, key.indexOf(':') + 1));
  for (const key of Object.keys(previous)) if (families.some((family) => key.startsWith(family))) delete previous[key];
  const merged: Results = { ...previous, ...results };
  delete merged.date;
  delete merged.machine;
  merged.date = new Date().toISOString();
  merged.machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  writeFileSync(RESULTS_FILE, `${JSON.stringify(merged, null, 2)}\n`);
  return merged;
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than two points. */
export function slope(points: Array<[number, number]>): number {
  const valid = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (valid.length < 2) return Number.NaN;
  const mx = valid.reduce((s, [x]) => s + x, 0) / valid.length;
  const my = valid.reduce((s, [, y]) => s + y, 0) / valid.length;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of valid) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
