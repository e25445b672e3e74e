// Before → after: the medians of the baseline checkout's pipeline against this checkout's, measured
// in the same run (the issue asks every step to be recorded so), one row per figure the targets
// and the steps are about. A figure one side does not have (an older checkout's services) is '-'.

import { round, type Spread } from '../stats/summary.js';
import type { PipelineSpread } from './compare-summary.js';
import { num } from './format.js';
import { table } from './table.js';

export interface BeforeAfterRow {
  readonly figure: string;
  /** Medians over the rounds. */
  readonly before?: number;
  readonly after?: number;
  /** after ÷ before. */
  readonly change?: number;
}

type Pick = (s: PipelineSpread) => Spread | undefined;

/** Keys of a per-process record on either side, this checkout's order first. */
const keysOf = (after: Readonly<Record<string, unknown>>, before: Readonly<Record<string, unknown>>) => [...new Set([...Object.keys(after), ...Object.keys(before)])];

export function beforeAfterRows(before: PipelineSpread, after: PipelineSpread): BeforeAfterRow[] {
  const figures: [string, Pick][] = [
    ['Tasks/s', (s) => s.tasksPerS],
    ['light success p50 ms', (s) => s.lightP50],
    ['light success p99 ms', (s) => s.lightP99],
    ['saturation success p50 ms', (s) => s.saturationP50],
    ['CPU ms/Task, all processes', (s) => s.cpuMsPerTask],
    ...keysOf(after.cpuMsPerTaskByProcess, before.cpuMsPerTaskByProcess).map((name): [string, Pick] => [`  CPU ms/Task, ${name}`, (s) => s.cpuMsPerTaskByProcess[name]]),
    ['commits per Task', (s) => s.commitsPerTask],
    ['bytes per Task', (s) => s.bytesPerTask],
    ['projection lag p99 ms, half rate', (s) => s.halfRateLagP99],
    ...keysOf(after.idleMiB, before.idleMiB).flatMap((label): [string, Pick][] => [
      [`RSS MiB idle, ${label}`, (s) => s.idleMiB[label]],
      [`RSS MiB peak, ${label}`, (s) => s.peakMiB[label]],
    ]),
  ];
  return figures.map(([figure, pick]) => {
    const b = pick(before)?.median;
    const a = pick(after)?.median;
    return { figure, before: b, after: a, change: a !== undefined && b !== undefined && b > 0 ? round(a / b, 2) : undefined };
  });
}

export function formatBeforeAfter(rows: readonly BeforeAfterRow[], beforeLabel: string, afterLabel: string): string {
  return table(
    ['before → after (medians)', `before: ${beforeLabel}`, `after: ${afterLabel}`, 'after ÷ before'],
    rows.map((r) => [r.figure, num(r.before), num(r.after), num(r.change)]),
  );
}
