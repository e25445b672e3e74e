// Projection lag at light load, seen through the query API as a user sees it: one loop polls
// GET /api/v1/tasks?status=success for this phase's Tasks every 5 ms (a constant, small load on the
// projection; polling each Task would load it in proportion to the lag and feed the lag). A Task's
// lag runs from the server timestamp of the commit holding its last SubTaskSucceeded to the first
// answer that lists it as success: an upper bound with ~5-10 ms resolution.

import { openLoop } from '../load/loops.js';
import { round, summarize, type Summary } from '../stats/summary.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineHarness } from './harness.js';
import { standardTask } from './task-shapes.js';

export interface ProbeFigures {
  readonly tasks: number;
  /** One Task every intervalMs. */
  readonly intervalMs: number;
  readonly shown: number;
  readonly polls: number;
  readonly lagMs: Summary;
  readonly latencyMs: Summary;
}

export async function probeProjection(harness: PipelineHarness, phase: string, options: { tasks: number; intervalMs: number; timeoutMs: number; stopping: () => boolean }): Promise<ProbeFigures> {
  const { ledger } = harness;
  const projection = harness.projection;
  const createdBy = ledger.createdBy(phase);
  const shownAt = new Map<string, number>();
  let polling = true;
  let polls = 0;
  const poller = (async () => {
    while (polling) {
      try {
        const page = await projection.successPage(createdBy, 100);
        const answeredAt = Date.now();
        polls++;
        for (const id of page.ids) if (!shownAt.has(id)) shownAt.set(id, answeredAt);
      } catch {
        // a missed poll
      }
      await sleep(5);
    }
  })();
  try {
    await openLoop(options.tasks, options.intervalMs, (i) => harness.submit(phase, i, standardTask(`bench ${phase} ${i}`, createdBy)), options.stopping);
    await ledger.book.untilFinished(phase, options.tasks, options.timeoutMs);
    const items = ledger.book.of(phase).filter((t) => t.ok === true);
    const deadline = Date.now() + 30_000;
    while (items.some((t) => !shownAt.has(t.id)) && Date.now() < deadline) await sleep(10);
    const lags = items.flatMap((t) => {
      const shown = shownAt.get(t.id);
      const finished = ledger.fold.get(t.id)?.finished;
      return shown !== undefined && finished ? [shown - finished.serverTime] : [];
    });
    return { tasks: options.tasks, intervalMs: round(options.intervalMs), shown: lags.length, polls, lagMs: summarize(lags), latencyMs: summarize(items.map((t) => t.finishedAt! - t.submittedAt)) };
  } finally {
    polling = false;
    await poller;
  }
}
