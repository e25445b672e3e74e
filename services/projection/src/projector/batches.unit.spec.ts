import { describe, expect, it } from 'vitest';
import { batches } from './batches.js';

/** A source whose items arrive when the test pushes them. */
function channel<T>() {
  const items: T[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  return {
    push(...values: T[]) {
      items.push(...values);
      wake?.();
    },
    close() {
      closed = true;
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        while (items.length === 0 && !closed) await new Promise<void>((resolve) => (wake = resolve));
        if (items.length === 0) return;
        yield items.shift()!;
      }
    },
  };
}

describe('batches', () => {
  it('cuts at maxSize when items are there', async () => {
    const source = channel<number>();
    source.push(...Array.from({ length: 12 }, (_, i) => i));
    source.close();
    const out: number[][] = [];
    for await (const batch of batches(source, { maxSize: 5, maxWaitMs: 1000 })) out.push(batch);
    expect(out).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9], [10, 11]]);
  });

  it('yields what arrived within maxWaitMs of the first item, and loses nothing after a timeout', async () => {
    const source = channel<number>();
    const iterator = batches(source, { maxSize: 100, maxWaitMs: 30 })[Symbol.asyncIterator]();
    source.push(1, 2);
    const started = Date.now();
    const first = await iterator.next();
    expect(first.value).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(500);
    // The next() left pending by the timer must deliver this item in the next batch.
    setTimeout(() => source.push(3), 50);
    expect((await iterator.next()).value).toEqual([3]);
    source.close();
    expect((await iterator.next()).done).toBe(true);
  });

  it('ends when the source ends', async () => {
    const source = channel<number>();
    source.close();
    const out: number[][] = [];
    for await (const batch of batches(source, { maxSize: 5, maxWaitMs: 10 })) out.push(batch);
    expect(out).toEqual([]);
  });
});
