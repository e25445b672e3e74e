// The two reductions every figure goes through: a distribution of one phase (latencies: p50, p99)
// and the spread of one figure over the rounds (median with min–max). Rounded for reading; the JSON
// lines carry the same rounded values, so that a table and its JSON agree.

export interface Summary {
  readonly n: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly mean?: number;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Rounds to `digits` decimals (0.1 ms is finer than anything measured here). */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Nearest-rank percentile (p in 0..100) of an unsorted list; undefined when it is empty. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) return { n: 0 };
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v > max) max = v;
    sum += v;
  }
  return { n: values.length, p50: round(percentile(values, 50)!), p99: round(percentile(values, 99)!), max: round(max), mean: round(sum / values.length) };
}

/**
 * Median and range of one figure over the rounds (the middle value; the mean of the two middle ones
 * for an even count). Rounds that have no value (a skipped phase) are left out; none gives undefined.
 */
export function spread(values: readonly (number | undefined)[]): Spread | undefined {
  const present = presentSorted(values);
  const median = medianOf(present);
  if (median === undefined) return undefined;
  return { median: round(median, 2), min: round(present[0]!, 2), max: round(present.at(-1)!, 2) };
}

/**
 * The median of the values, not rounded: what a target is held against (0.945 is not 0.95, though
 * spread prints it so). Undefined without a value.
 */
export function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const present = presentSorted(values);
  if (present.length === 0) return undefined;
  const middle = Math.floor(present.length / 2);
  return present.length % 2 === 1 ? present[middle]! : (present[middle - 1]! + present[middle]!) / 2;
}

function presentSorted(values: readonly (number | undefined)[]): number[] {
  return values.filter((v): v is number => v !== undefined && Number.isFinite(v)).sort((a, b) => a - b);
}
