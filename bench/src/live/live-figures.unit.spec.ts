import { describe, expect, it } from 'vitest';
import { liveFigures, publishedGaps, ReceiptLog, unannouncedIds, type Commit, type LiveInput } from './live-figures.js';

function logOf(events: ReadonlyArray<[client: number, id: number, at: number]>) {
  const log = new ReceiptLog();
  for (const [client, id, at] of events) log.add(client, id, at);
  return log.take();
}

// Changes 10 (warm-up), 20, 30 and 35 (measured) and 40 (after the window); 30 and 40 change Task b.
const commits = new Map<number, Commit>([
  [10, { taskId: 'a', at: 500 }],
  [20, { taskId: 'a', at: 1000 }],
  [30, { taskId: 'b', at: 1010 }],
  [35, { taskId: 'c', at: 1020 }],
  [40, { taskId: 'b', at: 2500 }],
]);
// Clients 0 and 1 show every Task; client 2 is on a filter.
const input = (receipts: LiveInput['receipts'], unannounced = new Map<number, string>()): LiveInput => ({
  commits,
  unannounced,
  window: { from: 1000, to: 2000 },
  receipts,
  clients: 3,
  groupOf: (client) => (client === 2 ? 'status=running' : 'all'),
  complete: new Set([0, 1]),
});

describe('liveFigures', () => {
  it('times each (client, change) pair of a measured change from when the bench heard it published', () => {
    const figures = liveFigures(
      input([
        logOf([
          [0, 10, 505],
          [0, 20, 1004],
          [0, 30, 1030],
          [0, 35, 1021],
          [0, 40, 2501],
        ]),
        logOf([
          [1, 20, 1002],
          [1, 30, 1012],
          [1, 35, 1022],
          [2, 30, 1050],
        ]),
      ]),
    );
    expect(figures).toMatchObject({ changes: 3, seen: 7, expected: 6, superseded: 0, missing: 0, clientsMissing: 0, missedSeqs: [], unannouncedEvents: 0, unnamedIds: 0 });
    expect(figures.latencyMs).toMatchObject({ n: 7, p50: 2, max: 40 });
    expect(figures.groups).toEqual([
      { group: 'all', clients: 2, seen: 6, latencyMs: expect.objectContaining({ n: 6, max: 20 }) },
      { group: 'status=running', clients: 1, seen: 1, latencyMs: expect.objectContaining({ n: 1, max: 40 }) },
    ]);
  });

  it('takes a later state of the Task as seeing the change (a catch-up), timed when it came', () => {
    // Client 0 got b only at 40 (after the window) and c under an id no message announced (37, from the log).
    const receipts = [logOf([[0, 20, 1001], [0, 40, 2600], [0, 37, 1100], [1, 20, 1001], [1, 30, 1011], [1, 35, 1021]])];
    expect([...unannouncedIds(receipts, commits)]).toEqual([37]);
    const figures = liveFigures(input(receipts, new Map([[37, 'c']])));
    expect(figures).toMatchObject({ changes: 3, seen: 6, expected: 6, superseded: 2, missing: 0, unannouncedEvents: 1, unnamedIds: 0 });
    expect(figures.latencyMs.max).toBe(1590);
  });

  it('counts the measured changes a complete client never saw, and ids the log could not name', () => {
    const figures = liveFigures(input([logOf([[0, 20, 1001], [0, 25, 1005], [2, 20, 1003]])]));
    expect(figures).toMatchObject({ changes: 3, seen: 2, expected: 6, superseded: 0, missing: 5, clientsMissing: 2, missedSeqs: [20, 30, 35], unannouncedEvents: 1, unnamedIds: 1 });
    expect(figures.groups.find((g) => g.group === 'all')).toMatchObject({ clients: 2, seen: 1 });
  });

  it('keeps every receipt past the first allocation', () => {
    const log = new ReceiptLog();
    for (let i = 0; i < 200_000; i++) log.add(i % 7, i, i + 0.5);
    const receipts = log.take();
    expect(receipts.length).toBe(200_000);
    expect([receipts.client[199_999], receipts.id[199_999], receipts.at[199_999]]).toEqual([199_999 % 7, 199_999, 199_999.5]);
  });
});

describe('publishedGaps', () => {
  it('finds the commits between two messages that no message covered', () => {
    expect(
      publishedGaps([
        { at: 1, from: 0, seq: 5 },
        { at: 2, from: 5, seq: 9 },
        { at: 3, from: 12, seq: 14 },
      ]),
    ).toEqual([{ at: 3, after: 9, upTo: 12 }]);
  });
});
