// Task status and progress are derived from the SubTasks (DESIGN §4), never stored as facts; from
// their tally (subtask-index.ts), so that deriving them at every event costs the same for a Task of
// 10 SubTasks as of 10,000.

import type { Planning, SubTask, TaskStatus } from './state.js';
import { indexOf, type Tally } from './subtask-index.js';

export interface Derivable {
  readonly started: boolean;
  readonly cancelRequested: boolean;
  readonly manualIntervention: boolean;
  readonly subtasks: readonly SubTask[];
  readonly endReason?: string;
  readonly planning?: Planning;
}

export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set(['success', 'warning', 'failed', 'cancelled', 'timed_out']);

export function deriveStatus(task: Derivable): TaskStatus {
  return statusOf(task, indexOf(task.subtasks).tally, task.subtasks.length);
}

/** The status of a Task whose `size` SubTasks tally so. */
export function statusOf(task: Omit<Derivable, 'subtasks'>, tally: Tally, size: number): TaskStatus {
  // A deadline ended it (deadlines.ts): whatever its SubTasks say, it is over.
  if (task.endReason !== undefined) return 'timed_out';
  if (task.cancelRequested) return tally.running > 0 ? 'cancelling' : 'cancelled';
  // Nothing of a Task runs before its last part is in.
  if (task.planning !== undefined) return 'planning';
  if (tally.inFlight === 0) {
    // Nothing can move any more: either everything finished, or what is left waits behind a failure.
    if (tally.requiredFailures > 0) return 'failed';
    if (tally.finished === size) return task.manualIntervention || tally.failed > 0 ? 'warning' : 'success';
    return task.started ? 'queued' : 'scheduled';
  }
  if (!task.started) return 'scheduled';
  return tally.begun > 0 ? 'running' : 'queued';
}

export function deriveProgress(subtasks: readonly SubTask[]): number {
  return progressOf(indexOf(subtasks).tally, subtasks.length);
}

/** Finished SubTasks over all of them: `total` while some are still to be planned. */
export function progressOf(tally: Tally, size: number, total = size): number {
  return total === 0 ? 0 : tally.finished / total;
}
