// The `sizes` table: SubTasks/s and CPU per SubTask of every shape and size, each against the best
// row (the highest throughput, the lowest cost), and the CPU above the system's idle use against the
// smallest Task of the same shape, so that "the same cost per SubTask within 2×" can be read off one
// column (a chain is sequential: one Task of 10,000 runs for a minute on a mostly idle system, whose
// timers and heartbeats would otherwise be charged to its few SubTasks per second). A refused size is
// a row with the server's error.

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
  /** CPU per SubTask less what the system uses idle over the row's duration. */
  readonly netCpuMsPerSubTask?: number;
  readonly taskLatencyMs?: Summary;
}

export interface RatedSizeRow extends SizeRow {
  /** subtasksPerS ÷ the best row's (1 for the best). */
  readonly throughputVsBest?: number;
  /** cpuMsPerSubTask ÷ the cheapest row's (1 for the cheapest). */
  readonly costVsBest?: number;
  /** netCpuMsPerSubTask ÷ that of the smallest measured size of the same shape. */
  readonly netCostVsSmallest?: number;
}

const measured = (row: SizeRow) => row.refusedTasks === 0 && row.completed > 0;

export function rateRows(rows: readonly SizeRow[]): RatedSizeRow[] {
  const ok = rows.filter(measured);
  const best = Math.max(0, ...ok.map((r) => r.subtasksPerS ?? 0));
  const cheapest = Math.min(...ok.map((r) => r.cpuMsPerSubTask ?? Number.POSITIVE_INFINITY));
  const smallestOf = (shape: Shape) => ok.filter((r) => r.shape === shape && r.netCpuMsPerSubTask !== undefined).sort((a, b) => a.size - b.size)[0];
  return rows.map((row) => {
    if (!measured(row)) return { ...row };
    const smallest = smallestOf(row.shape)?.netCpuMsPerSubTask;
    return {
      ...row,
      throughputVsBest: best > 0 && row.subtasksPerS !== undefined ? round(row.subtasksPerS / best, 2) : undefined,
      costVsBest: Number.isFinite(cheapest) && cheapest > 0 && row.cpuMsPerSubTask !== undefined ? round(row.cpuMsPerSubTask / cheapest, 2) : undefined,
      netCostVsSmallest: smallest !== undefined && smallest > 0 && row.netCpuMsPerSubTask !== undefined ? round(row.netCpuMsPerSubTask / smallest, 2) : undefined,
    };
  });
}

export function formatSizeTable(rows: readonly RatedSizeRow[]): string {
  return table(
    ['shape', 'SubTasks/Task', 'Tasks', 'SubTasks/s', '× best', 'CPU ms/SubTask', '× cheapest', 'above idle', '× smallest', 'Task p50 / p99 ms', 'note'],
    rows.map((r) => [
      r.shape,
      r.size,
      r.tasks,
      num(r.subtasksPerS),
      num(r.throughputVsBest),
      num(r.cpuMsPerSubTask),
      num(r.costVsBest),
      num(r.netCpuMsPerSubTask),
      num(r.netCostVsSmallest),
      p50p99(r.taskLatencyMs),
      r.refusedTasks === 0 ? '' : r.refusedTasks === r.tasks ? `refused: ${r.refusal}` : `${r.refusedTasks} of ${r.tasks} refused: ${r.refusal}`,
    ]),
    [10],
  );
}

/**
 * Whether every measured row costs at most `factor` times the smallest Task of its shape, CPU above
 * idle (the target: 2×); the raw cost against the cheapest row where no idle figure exists.
 */
export function withinFactor(rows: readonly RatedSizeRow[], factor = 2): boolean | undefined {
  const costs = rows.flatMap((r) => {
    const cost = r.netCostVsSmallest ?? r.costVsBest;
    return cost === undefined ? [] : [cost];
  });
  return costs.length === 0 ? undefined : costs.every((c) => c <= factor);
}
