import { describe, expect, it } from 'vitest';
import { longTaskFigures, rateFor, slope, spread95, trend, type PageSample } from './ui-figures.js';

describe('spread95', () => {
  it('gives the nearest-rank p50 and p95 and the max', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(spread95(values)).toEqual({ n: 100, p50: 50, p95: 95, max: 100 });
    expect(spread95([])).toEqual({ n: 0 });
  });
});

describe('longTaskFigures', () => {
  it('counts the entries, those over 200 ms and the blocking time past 50 ms each', () => {
    const f = longTaskFigures([
      { startTime: 0, duration: 60 },
      { startTime: 1000, duration: 250 },
      { startTime: 5000, duration: 80 },
    ]);
    expect(f).toEqual({ count: 3, maxMs: 250, over200: 1, blockingMs: 10 + 200 + 30, duringSamples: 0, duringSamplesMaxMs: undefined });
  });

  it('puts apart the entries that overlap a span the bench caused (a forced GC)', () => {
    const f = longTaskFigures(
      [
        { startTime: 100, duration: 300 }, // overlaps [350, 360]
        { startTime: 1000, duration: 70 },
        { startTime: 2000, duration: 60 }, // ends at 2060, before [2060, 2100]: not overlapping
      ],
      [
        { from: 350, to: 360 },
        { from: 2060, to: 2100 },
      ],
    );
    expect(f).toMatchObject({ count: 2, maxMs: 70, over200: 0, duringSamples: 1, duringSamplesMaxMs: 300 });
  });

  it('has no max when the page had no long task', () => {
    expect(longTaskFigures([])).toEqual({ count: 0, maxMs: undefined, over200: 0, blockingMs: 0, duringSamples: 0, duringSamplesMaxMs: undefined });
  });
});

describe('slope', () => {
  it('is the least-squares slope', () => {
    expect(slope([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 5 }])).toBeCloseTo(2);
    // Noise around a flat line.
    expect(slope([{ x: 0, y: 10 }, { x: 1, y: 11 }, { x: 2, y: 9 }, { x: 3, y: 10 }])).toBeCloseTo(-0.2);
  });

  it('has none for fewer than two distinct x', () => {
    expect(slope([])).toBeUndefined();
    expect(slope([{ x: 1, y: 1 }])).toBeUndefined();
    expect(slope([{ x: 1, y: 1 }, { x: 1, y: 2 }])).toBeUndefined();
  });
});

describe('trend', () => {
  const sample = (atS: number, heapUsedMiB: number, nodes = 1000): PageSample => ({ atS, heapUsedMiB, elements: 800, nodes, listeners: 50 });

  it('takes the heap slope in MiB per minute over the second half only', () => {
    // A first half that grows (caches filling), then flat.
    const samples = [sample(0, 5), sample(60, 8), sample(120, 10), sample(180, 10), sample(240, 10)];
    const t = trend(samples, 240);
    expect(t.secondHalfMiBPerMin).toBe(0);
    expect(t.wholeMiBPerMin).toBeGreaterThan(1);
    expect(t).toMatchObject({ samples: 5, firstMiB: 5, lastMiB: 10, maxMiB: 10 });
  });

  it('shows a leak as a positive slope, and the renderer nodes per minute', () => {
    const samples = Array.from({ length: 11 }, (_, i) => sample(i * 60, 10 + i * 0.5, 1000 + i * 100));
    const t = trend(samples, 600);
    expect(t.secondHalfMiBPerMin).toBeCloseTo(0.5);
    expect(t.nodesPerMin).toBeCloseTo(100);
    expect(t.nodes).toEqual({ first: 1000, last: 2000, max: 2000 });
  });

  it('has no slope without samples', () => {
    expect(trend([], 600)).toMatchObject({ samples: 0, secondHalfMiBPerMin: undefined, elements: {} });
  });
});

describe('rateFor', () => {
  it('divides the target by the changes one Task brought', () => {
    // 4 changes per Task: 25 Tasks/s for 100 changes/s.
    expect(rateFor(100, 400, 100)).toBe(25);
  });

  it('keeps to at least one Task per second and at most the limit', () => {
    expect(rateFor(1, 1000, 10)).toBe(1);
    expect(rateFor(100, 10, 1000, 500)).toBe(500);
  });

  it('falls back to one Task per change when the warm-up saw nothing', () => {
    expect(rateFor(100, 0, 50)).toBe(100);
    expect(rateFor(100, 10, 0)).toBe(100);
  });
});
