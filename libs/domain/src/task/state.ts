// A Task as folded from its events. Task status and progress are derived, never stored in events.

import type { EndReason } from './deadlines.js';
import type { JsonObject, ObjectType, TaskDefinition } from './events.js';
import type { QueueName } from '@vle/contracts/queues';

export type SubTaskStatus = 'blocked' | 'queued' | 'running' | 'retrying' | 'success' | 'failed' | 'skipped' | 'cancelled' | 'timed_out';

export type TaskStatus = 'planning' | 'scheduled' | 'queued' | 'running' | 'success' | 'warning' | 'failed' | 'cancelling' | 'cancelled' | 'timed_out';

export const SUB_TASK_STATUSES: readonly SubTaskStatus[] = ['blocked', 'queued', 'running', 'retrying', 'success', 'failed', 'skipped', 'cancelled', 'timed_out'];
export const TASK_STATUSES: readonly TaskStatus[] = ['planning', 'scheduled', 'queued', 'running', 'success', 'warning', 'failed', 'cancelling', 'cancelled', 'timed_out'];

export interface SubTask {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly action: string;
  readonly queue: QueueName;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  readonly params: JsonObject;
  readonly dependsOn: readonly string[];
  readonly bestEffort: boolean;
  readonly timeoutSeconds?: number;
  readonly status: SubTaskStatus;
  /** 1 for the first run; +1 for every retry a person asks for; 0 before it is queued. */
  readonly generation: number;
  /** The current attempt of the current generation (0 before the first). */
  readonly attempt: number;
  /** Failed attempts over all generations. */
  readonly failedAttempts: number;
  /** Attempts started over all generations (a person's retry included): never goes back. */
  readonly executions: number;
  readonly jobId?: string;
  /** JOBS stream sequence of the job message whose deliveries run this generation's attempts. */
  readonly jobSeq?: number;
  /** The delivery running the current attempt. */
  readonly deliveryId?: string;
  /** `<generation>:<attempt>` of the attempt that reserved `objectId`: one reservation per attempt. */
  readonly reservedBy?: string;
  readonly responseCode?: string;
  readonly responseMessage?: string;
  readonly nextAttemptAt?: string;
  readonly queuedAt?: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly updatedAt: string;
}

/**
 * A Task too large for one commit is created in parts (TaskCreated, then SubTasksPlanned): until
 * the last part is in it is `planning`, and none of its SubTasks is queued.
 */
export interface Planning {
  /** The SubTasks the Task has once planned. */
  readonly total: number;
  /** The parts in so far, TaskCreated's included: the index the next SubTasksPlanned carries. */
  readonly parts: number;
  /**
   * The planning deadline (TaskCreated's `planBefore`) when it stands in for a `startBefore` the
   * creator did not give: a plan nobody completes is then a missed start, which the scheduler ends
   * (ExpireTaskStart). It goes, and `startBefore` with it, once the last part is in.
   */
  readonly deadline?: string;
}

export interface Task extends TaskDefinition {
  readonly status: TaskStatus;
  readonly id: string;
  /** False while a Task with a future `startAt` waits for it. */
  readonly started: boolean;
  readonly cancelRequested: boolean;
  /**
   * Kept by the retention whatever its age (TaskPinned / TaskUnpinned). Absent in states folded
   * before pinning existed (stored read-model states): not pinned.
   */
  readonly pinned?: boolean;
  /** A person retried a SubTask: the Task ends `warning` at best. */
  readonly manualIntervention: boolean;
  /** In creation order; a SubTask keeps its position for good. */
  readonly subtasks: readonly SubTask[];
  /** Present while the Task is being created in parts. */
  readonly planning?: Planning;
  /** Finished SubTasks / all SubTasks (those still to be planned included), 0..1. */
  readonly progress: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** When the Task began to run (its creation, or TaskStarted after a startAt): its timeout counts from here. */
  readonly activeSince?: string;
  /** Set when a deadline ended the Task (status `timed_out`). */
  readonly endReason?: EndReason;
  /** Events folded so far. */
  readonly version: number;
}

export interface NoTask {
  readonly status: 'absent';
}

export type TaskState = NoTask | Task;

export const initialState: TaskState = { status: 'absent' };

export function exists(state: TaskState): state is Task {
  return state.status !== 'absent';
}
