// Where a Task's time goes, from the server timestamps of its commits (the standard shape only:
// 4 independent SubTasks, then 1 that depends on all 4):
//   command         submit -> TaskCreated stored
//   dispatchLevel1  -> the first SubTaskAttemptStarted (the job publish, worker fetch, the
//                      worker's load of the Task and its append)
//   runLevel1       -> the commit holding the 4th success (which queues the 5th SubTask)
//   dispatchLevel2  -> the 5th SubTask's AttemptStarted
//   runLevel2       -> its success
//   observe         -> seen by the bench's follower

import type { TaskEventType } from '@vle/domain';
import { summarize, type Summary } from '../stats/summary.js';
import type { TimelineEntry } from './commit-fold.js';

export const STAGES = ['command', 'dispatchLevel1', 'runLevel1', 'dispatchLevel2', 'runLevel2', 'observe'] as const;
export type Stage = (typeof STAGES)[number];

export interface StagedTask {
  readonly submittedWall: number;
  readonly finishedWall: number;
  readonly timeline: readonly TimelineEntry[];
}

const has = (entry: TimelineEntry, type: TaskEventType) => entry.types.includes(type);
const count = (entry: TimelineEntry, type: TaskEventType) => entry.types.filter((t) => t === type).length;

/**
 * The stage durations (ms) of one Task of the standard shape, or undefined if its log does not have
 * that shape (one attempt per SubTask). Commits may hold the events of several SubTasks (group commit:
 * the parallel SubTasks' starts, and their results, often share one), so events are counted, not commits.
 */
export function stagesOf(task: StagedTask, subtasks = 5): Record<Stage, number> | undefined {
  const { timeline } = task;
  const created = timeline.find((c) => has(c, 'TaskCreated'));
  const started = timeline.filter((c) => has(c, 'SubTaskAttemptStarted'));
  const attempts = started.reduce((n, c) => n + count(c, 'SubTaskAttemptStarted'), 0);
  const queuedLast = timeline.find((c) => has(c, 'SubTaskSucceeded') && has(c, 'SubTaskQueued'));
  const succeeded = timeline.filter((c) => has(c, 'SubTaskSucceeded'));
  if (!created || attempts !== subtasks || !queuedLast || succeeded.length === 0) return undefined;
  const startedLast = started.find((c) => c.serverTime >= queuedLast.serverTime) ?? started.at(-1)!;
  const lastSuccess = succeeded.at(-1)!;
  return {
    command: created.serverTime - task.submittedWall,
    dispatchLevel1: started[0]!.serverTime - created.serverTime,
    runLevel1: queuedLast.serverTime - started[0]!.serverTime,
    dispatchLevel2: startedLast.serverTime - queuedLast.serverTime,
    runLevel2: lastSuccess.serverTime - startedLast.serverTime,
    observe: task.finishedWall - lastSuccess.serverTime,
  };
}

export function stageSummaries(tasks: readonly StagedTask[]): Record<Stage, Summary> {
  const parts = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]>;
  for (const task of tasks) {
    const stages = stagesOf(task);
    if (stages) for (const s of STAGES) parts[s].push(stages[s]);
  }
  return Object.fromEntries(STAGES.map((s) => [s, summarize(parts[s])])) as Record<Stage, Summary>;
}
