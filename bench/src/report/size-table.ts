// The `sizes` table: SubTasks/s and CPU per SubTask of every shape and size, each against the best
// row (the highest throughput, the lowest cost), so that "the same cost per SubTask within 2×" can be
// read off one column. A refused size is a row with the server's error.

import type { Shape } from '../pipeline/task-shapes.js';
import { round, type Summary } from '../stats/summary.js';
import { num, p50p99 } from './format.js';
import { table } from './table.js';

export interface SizeRow {
  readonly shape: Shape;
  readonly size: number;
  readonly tasks: number;
  /** Creates refused, and the first refusal (the server's error). */
  readonly refusedTasks: number;
  readonly refusal?: string;
  readonly completed: number;
  readonly wallS?: number;
  readonly subtasksPerS?: number;
  readonly cpuMsPerSubTask?: number;
  readonly cpuMsPerSubTaskByProcess?: Readonly<Record<string, number>>;
  readonly taskLatencyMs?: Summary;
}

export interface RatedSizeRow extends SizeRow {
  /** subtasksPerS ÷ the best row's (1 for the best). */
  readonly throughputVsBest?: number;
  /** cpuMsPerSubTask ÷ the cheapest row's (1 for the cheapest). */
  readonly costVsBest?: number;
}

const measured = (row: SizeRow) => row.refusedTasks === 0 && row.completed > 0;

export function rateRows(rows: readonly SizeRow[]): RatedSizeRow[] {
  const ok = rows.filter(measured);
  const best = Math.max(0, ...ok.map((r) => r.subtasksPerS ?? 0));
  const cheapest = Math.min(...ok.map((r) => r.cpuMsPerSubTask ?? Number.POSITIVE_INFINITY));
  return rows.map((row) =>
    measured(row)
      ? {
          ...row,
          throughputVsBest: best > 0 && row.subtasksPerS !== undefined ? round(row.subtasksPerS / best, 2) : undefined,
          costVsBest: Number.isFinite(cheapest) && cheapest > 0 && row.cpuMsPerSubTask !== undefined ? round(row.cpuMsPerSubTask / cheapest, 2) : undefined,
        }
      : { ...row },
  );
}

export function formatSizeTable(rows: readonly RatedSizeRow[]): string {
  return table(
    ['shape', 'SubTasks/Task', 'Tasks', 'SubTasks/s', '× best', 'CPU ms/SubTask', '× cheapest', 'Task p50 / p99 ms', 'note'],
    rows.map((r) => [
      r.shape,
      r.size,
      r.tasks,
      num(r.subtasksPerS),
      num(r.throughputVsBest),
      num(r.cpuMsPerSubTask),
      num(r.costVsBest),
      p50p99(r.taskLatencyMs),
      r.refusedTasks === 0 ? '' : r.refusedTasks === r.tasks ? `refused: ${r.refusal}` : `${r.refusedTasks} of ${r.tasks} refused: ${r.refusal}`,
    ]),
    [8],
  );
}

/** Whether every measured row costs at most `factor` times the cheapest (the target: 2×). */
export function withinFactor(rows: readonly RatedSizeRow[], factor = 2): boolean | undefined {
  const costs = rows.flatMap((r) => (r.costVsBest === undefined ? [] : [r.costVsBest]));
  return costs.length === 0 ? undefined : costs.every((c) => c <= factor);
}
