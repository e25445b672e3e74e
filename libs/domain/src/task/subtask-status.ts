// What a SubTask's status means for its Task (finished, in flight, failed for good) and for the
// SubTasks that depend on it (may they run).

import type { SubTask, SubTaskStatus } from './state.js';

const FINISHED: ReadonlySet<SubTaskStatus> = new Set(['success', 'failed', 'skipped', 'cancelled', 'timed_out']);
const IN_FLIGHT: ReadonlySet<SubTaskStatus> = new Set(['queued', 'running', 'retrying']);

export function isFinished(subTask: SubTask): boolean {
  return FINISHED.has(subTask.status);
}

export function isInFlight(subTask: SubTask): boolean {
  return IN_FLIGHT.has(subTask.status);
}

/** Failed or timed out (best effort or not). */
export function hasFailed(subTask: SubTask): boolean {
  return subTask.status === 'failed' || subTask.status === 'timed_out';
}

/** Failed for good as far as the Task is concerned (a best-effort failure is not). */
export function isRequiredFailure(subTask: SubTask): boolean {
  return !subTask.bestEffort && hasFailed(subTask);
}

/** A dependency lets its dependents run once it succeeded, was skipped, or failed as best effort. */
export function satisfies(dependency: SubTask): boolean {
  return dependency.status === 'success' || dependency.status === 'skipped' || (dependency.bestEffort && hasFailed(dependency));
}
