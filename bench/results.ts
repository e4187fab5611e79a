/**
 * The flat results record every benchmark module writes into (keys carry
 * their unit), and the few statistics they share.
 */
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
