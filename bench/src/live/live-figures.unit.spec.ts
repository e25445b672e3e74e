import { describe, expect, it } from 'vitest';
import { liveFigures, ReceiptLog } from './live-figures.js';

function logOf(events: ReadonlyArray<[client: number, id: number, at: number]>): ReceiptLog {
  const log = new ReceiptLog();
  for (const [client, id, at] of events) log.add(client, id, at);
  return log;
}

// Changes 10 (warm-up), 20 and 30 (measured, heard at 1000 and 1010) and 40 (after the window).
const commits = new Map([
  [10, 500],
  [20, 1000],
  [30, 1010],
  [40, 2500],
]);
const window = { from: 1000, to: 2000 };
const groupOf = (client: number) => (client === 2 ? 'status=running' : 'all');

describe('liveFigures', () => {
  it('times each (client, event) pair of a measured change from when the bench heard it published', () => {
    const figures = liveFigures({
      commits,
      window,
      clients: 3,
      groupOf,
      complete: [0, 1],
      receipts: [
        logOf([
          [0, 10, 505],
          [0, 20, 1004],
          [0, 30, 1030],
          [0, 40, 2501],
        ]).take(),
        logOf([
          [1, 20, 1002],
          [1, 30, 1012],
          [2, 30, 1050],
        ]).take(),
      ],
    });
    expect(figures).toMatchObject({ changes: 2, events: 5, expected: 4, missing: 0, clientsMissing: 0, missedSeqs: [], unannounced: 0 });
    expect(figures.latencyMs).toMatchObject({ n: 5, p50: 4, max: 40 });
    expect(figures.groups).toEqual([
      { group: 'all', clients: 2, events: 4, latencyMs: expect.objectContaining({ n: 4, max: 20 }) },
      { group: 'status=running', clients: 1, events: 1, latencyMs: expect.objectContaining({ n: 1, max: 40 }) },
    ]);
  });

  it('counts the measured changes a complete client never saw, and ids no message announced', () => {
    const figures = liveFigures({
      commits,
      window,
      clients: 3,
      groupOf,
      complete: [0, 1],
      receipts: [
        logOf([
          [0, 20, 1001],
          [0, 25, 1005],
          [2, 20, 1003],
        ]).take(),
      ],
    });
    expect(figures).toMatchObject({ changes: 2, events: 2, expected: 4, missing: 3, clientsMissing: 2, missedSeqs: [20, 30], unannounced: 1 });
    expect(figures.groups.find((g) => g.group === 'all')).toMatchObject({ clients: 2, events: 1 });
  });

  it('keeps every receipt past the first allocation', () => {
    const log = new ReceiptLog();
    for (let i = 0; i < 200_000; i++) log.add(i % 7, i, i + 0.5);
    const receipts = log.take();
    expect(receipts.length).toBe(200_000);
    expect([receipts.client[199_999], receipts.id[199_999], receipts.at[199_999]]).toEqual([199_999 % 7, 199_999, 199_999.5]);
  });
});
