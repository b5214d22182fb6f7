/** Honest summary statistics: sorted copies, nearest-rank percentiles, no interpolation. */

/** Nearest-rank percentile: the smallest sample with at least p % of the samples at or below it. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? Number.NaN;
}

export const median = (xs: readonly number[]): number => percentile(xs, 50);

export interface Summary {
  n: number;
  /** Samples that were not numbers (e.g. a field the service left null), left out of the rest. */
  missing: number;
  p50: number;
  p95: number;
  p99: number;
  min: number;
  max: number;
  mean: number;
}

export function summarize(all: readonly number[]): Summary {
  const xs = all.filter(Number.isFinite);
  const n = xs.length;
  return {
    n,
    missing: all.length - n,
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
    // A loop, not Math.min(...xs): spreading 100,000+ samples overflows the stack.
    min: n ? xs.reduce((a, b) => Math.min(a, b)) : NaN,
    max: n ? xs.reduce((a, b) => Math.max(a, b)) : NaN,
    mean: n ? xs.reduce((a, b) => a + b, 0) / n : NaN,
  };
}

/** A number for a table: fixed decimals, or "–" when it was not measured. */
export const fmt = (x: number | null | undefined, digits = 1): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
