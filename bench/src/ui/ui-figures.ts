// The figures of the `ui` bench, from what the browser reported: the navigation times of the list's
// first page, the long tasks of the page's main thread, and the trend of its heap and DOM over a burst
// of live changes. Pure functions: the command (commands/ui.ts) measures, these reduce.

import { percentile, round } from '../stats/summary.js';

/** A distribution with the p95 the "≤ 1 s" is read against. */
export interface Spread95 {
  readonly n: number;
  readonly p50?: number;
  readonly p95?: number;
  readonly max?: number;
}

export function spread95(values: readonly number[]): Spread95 {
  if (values.length === 0) return { n: 0 };
  return { n: values.length, p50: round(percentile(values, 50)!), p95: round(percentile(values, 95)!), max: round(Math.max(...values)) };
}

/** A long task (or a long animation frame) of the page, in the page's clock (ms since its navigation). */
export interface LongEntry {
  readonly startTime: number;
  readonly duration: number;
}

/** A span of the page's clock, e.g. while the bench forced a garbage collection. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

export interface LongTaskFigures {
  /** Entries (every one is over 50 ms: the browser reports no shorter one). */
  readonly count: number;
  readonly maxMs?: number;
  readonly over200: number;
  /** The sum over the entries of the time past 50 ms (Lighthouse's total blocking time). */
  readonly blockingMs: number;
  /** Entries that overlap a span the bench itself caused (a forced GC and the metrics read), left out above. */
  readonly duringSamples: number;
  readonly duringSamplesMaxMs?: number;
}

const overlaps = (e: LongEntry, s: Span) => e.startTime < s.to && e.startTime + e.duration > s.from;

/** Long entries reduced, those overlapping one of `excluded` counted apart (the bench caused them). */
export function longTaskFigures(entries: readonly LongEntry[], excluded: readonly Span[] = [], limitMs = 200): LongTaskFigures {
  const own = entries.filter((e) => !excluded.some((s) => overlaps(e, s)));
  const theirs = entries.filter((e) => excluded.some((s) => overlaps(e, s)));
  const max = (list: readonly LongEntry[]) => (list.length === 0 ? undefined : round(Math.max(...list.map((e) => e.duration))));
  return {
    count: own.length,
    maxMs: max(own),
    over200: own.filter((e) => e.duration > limitMs).length,
    blockingMs: round(own.reduce((sum, e) => sum + Math.max(0, e.duration - 50), 0)),
    duringSamples: theirs.length,
    duringSamplesMaxMs: max(theirs),
  };
}

/** The least-squares slope of y over x; undefined for fewer than two distinct x. */
export function slope(points: ReadonlyArray<{ readonly x: number; readonly y: number }>): number | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

/** One sample of the page during the burst, after a forced garbage collection. */
export interface PageSample {
  /** Seconds since the measured part of the burst began. */
  readonly atS: number;
  readonly heapUsedMiB: number;
  /** Elements in the document. */
  readonly elements: number;
  /** DOM nodes the renderer holds (CDP's Nodes: detached ones still referenced included). */
  readonly nodes: number;
  readonly listeners: number;
}

export interface Trend {
  readonly samples: number;
  readonly firstMiB?: number;
  readonly lastMiB?: number;
  readonly maxMiB?: number;
  /** MiB per minute over the second half of the burst (the first half lets caches and the JIT settle). */
  readonly secondHalfMiBPerMin?: number;
  readonly wholeMiBPerMin?: number;
  /** Renderer DOM nodes per minute over the second half. */
  readonly nodesPerMin?: number;
  readonly elements: { readonly first?: number; readonly last?: number; readonly max?: number };
  readonly nodes: { readonly first?: number; readonly last?: number; readonly max?: number };
}

export function trend(samples: readonly PageSample[], measuredS: number): Trend {
  const half = samples.filter((s) => s.atS >= measuredS / 2);
  const perMin = (list: readonly PageSample[], y: (s: PageSample) => number) => {
    const k = slope(list.map((s) => ({ x: s.atS / 60, y: y(s) })));
    return k === undefined ? undefined : round(k, 2);
  };
  const range = (y: (s: PageSample) => number) => (samples.length === 0 ? {} : { first: y(samples[0]!), last: y(samples.at(-1)!), max: Math.max(...samples.map(y)) });
  const heap = range((s) => s.heapUsedMiB);
  return {
    samples: samples.length,
    firstMiB: heap.first === undefined ? undefined : round(heap.first),
    lastMiB: heap.last === undefined ? undefined : round(heap.last),
    maxMiB: heap.max === undefined ? undefined : round(heap.max),
    secondHalfMiBPerMin: perMin(half, (s) => s.heapUsedMiB),
    wholeMiBPerMin: perMin(samples, (s) => s.heapUsedMiB),
    nodesPerMin: perMin(half, (s) => s.nodes),
    elements: range((s) => s.elements),
    nodes: range((s) => s.nodes),
  };
}

/**
 * Tasks per second to create so that `target` changes per second reach the list, from a warm-up in
 * which `tasks` creates brought `changes` changes; at least one per second, at most `max`.
 */
export function rateFor(target: number, changes: number, tasks: number, max = 500): number {
  if (tasks <= 0 || changes <= 0) return Math.min(max, Math.max(1, target));
  return round(Math.min(max, Math.max(1, (target * tasks) / changes)), 2);
}
