import { describe, expect, it } from 'vitest';
import { medianOf, percentile, round, spread, summarize } from './summary.js';

describe('percentile', () => {
  it('is the nearest rank of the sorted values', () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 10)).toBe(1);
    expect(percentile(values, 0)).toBe(1);
  });

  it('is undefined for no values and the value itself for one', () => {
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 99)).toBe(7);
  });

  it('does not reorder its input', () => {
    const values = [3, 1, 2];
    percentile(values, 50);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('summarize', () => {
  it('gives n, p50, p99, max and mean rounded to 0.1', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1 + 0.04);
    expect(summarize(values)).toEqual({ n: 100, p50: 50, p99: 99, max: 100, mean: 50.5 });
  });

  it('is only a count for an empty phase', () => {
    expect(summarize([])).toEqual({ n: 0 });
  });
});

describe('spread', () => {
  it('is the median with min and max over the rounds', () => {
    expect(spread([150, 142, 161])).toEqual({ median: 150, min: 142, max: 161 });
  });

  it('takes the mean of the two middle values for an even count', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });

  it('leaves out rounds without the figure, and is undefined when none has it', () => {
    expect(spread([undefined, 3, Number.NaN])).toEqual({ median: 3, min: 3, max: 3 });
    expect(spread([undefined, undefined])).toBeUndefined();
  });
});

describe('round', () => {
  it('rounds to the given decimals', () => {
    expect(round(1.2345)).toBe(1.2);
    expect(round(1.2355, 3)).toBe(1.236);
    expect(round(1234.5, 0)).toBe(1235);
  });
});

describe('medianOf', () => {
  it('is the median unrounded, which a target is held against: 0.945 does not meet 0.95 though spread prints 0.95', () => {
    const ratios = [0.943, 0.947, 0.9, 1.01];
    expect(spread(ratios)?.median).toBe(0.95);
    expect(medianOf(ratios)).toBeCloseTo(0.945, 10);
    expect(medianOf(ratios)! >= 0.95).toBe(false);
    expect(medianOf([undefined, 2, Number.NaN, 1, 3])).toBe(2);
    expect(medianOf([])).toBeUndefined();
  });
});
