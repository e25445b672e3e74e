// What a user may do to a Task or a SubTask now, and why not: the seed's rules (retry a failed
// SubTask at most 24 hours after it failed; skip a failed or waiting one; cancel an unfinished Task)
// and the token's permissions. The server decides again; this is what the buttons say.

import type { SubTaskView, TaskView } from './api/types.js';
import { FINISHED } from './format.js';

/** task-api's RETRY_WINDOW_HOURS by default; a deployment with another window answers 409 with its own. */
export const RETRY_WINDOW_MS = 24 * 3_600_000;

export interface Allowed {
  readonly allowed: boolean;
  /** Why not, for the disabled button's text. */
  readonly reason?: string;
}

const yes: Allowed = { allowed: true };
const no = (reason: string): Allowed => ({ allowed: false, reason });

export function canRetry(subTask: SubTaskView, now = Date.now()): Allowed {
  if (subTask.status !== 'failed' && subTask.status !== 'timed_out') return no(`only a failed SubTask can be retried (this one is ${subTask.status})`);
  const failedAt = Date.parse(subTask.finishedAt ?? subTask.updatedAt);
  if (now - failedAt > RETRY_WINDOW_MS) return no('it failed more than 24 hours ago: create a new Task instead');
  return yes;
}

export function canSkip(subTask: SubTaskView): Allowed {
  return subTask.status === 'failed' || subTask.status === 'timed_out' || subTask.status === 'blocked' ? yes : no(`only a failed or waiting SubTask can be skipped (this one is ${subTask.status})`);
}

export function canCancel(task: TaskView): Allowed {
  if (FINISHED.has(task.status)) return no(`the Task has finished (${task.status})`);
  if (task.status === 'cancelling' || task.cancelRequested) return no('the Task is being cancelled');
  return yes;
}

/** What a cancel does to each SubTask: those not started stop, the running ones are already at work. */
export function cancelEffect(subtasks: readonly SubTaskView[]): { stops: SubTaskView[]; running: SubTaskView[] } {
  return {
    stops: subtasks.filter((s) => s.status === 'blocked' || s.status === 'queued' || s.status === 'retrying'),
    running: subtasks.filter((s) => s.status === 'running'),
  };
}
