// Task status and progress are derived from the SubTasks (DESIGN §4), never stored as facts.

import { isFinished, isInFlight, isRequiredFailure } from './dag.js';
import type { SubTask, TaskStatus } from './state.js';

export interface Derivable {
  readonly started: boolean;
  readonly cancelRequested: boolean;
  readonly manualIntervention: boolean;
  readonly subtasks: readonly SubTask[];
  readonly endReason?: string;
}

export const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set(['success', 'warning', 'failed', 'cancelled', 'timed_out']);

export function deriveStatus(task: Derivable): TaskStatus {
  // A deadline ended it (deadlines.ts): whatever its SubTasks say, it is over.
  if (task.endReason !== undefined) return 'timed_out';
  const subtasks = task.subtasks;
  const running = subtasks.some((s) => s.status === 'running');
  if (task.cancelRequested) return running ? 'cancelling' : 'cancelled';
  const progressing = subtasks.some(isInFlight);
  if (!progressing) {
    // Nothing can move any more: either everything finished, or what is left waits behind a failure.
    if (subtasks.some(isRequiredFailure)) return 'failed';
    if (subtasks.every(isFinished)) {
      const degraded = task.manualIntervention || subtasks.some((s) => s.status === 'failed' || s.status === 'timed_out');
      return degraded ? 'warning' : 'success';
    }
    return task.started ? 'queued' : 'scheduled';
  }
  if (!task.started) return 'scheduled';
  const begun = subtasks.some((s) => s.attempt > 0 || isFinished(s));
  return begun ? 'running' : 'queued';
}

export function deriveProgress(subtasks: readonly SubTask[]): number {
  if (subtasks.length === 0) return 0;
  return subtasks.filter(isFinished).length / subtasks.length;
}
