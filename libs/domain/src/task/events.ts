// The facts of a Task's life (DESIGN §4), as stored on `tasks.evt.<taskId>`: JSON with a `type`,
// a `version`, the Task id, the time, the actor and the event's data (proto: vle.tasks.v1.TaskEvent).

import type { QueueName } from '@vle/contracts/queues';
import type { TaskStartDeadlineMissed, TaskTimedOut } from './deadlines.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const OBJECT_TYPES = ['vm', 'template', 'event', 'mail', 'connection', 'course'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

export interface PlannedSubTask {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly action: string;
  readonly queue: QueueName;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  /** Redacted before it is stored: secrets never reach the log. */
  readonly params: JsonObject;
  /** SubTask ids of the same Task. */
  readonly dependsOn: readonly string[];
  readonly bestEffort: boolean;
  readonly timeoutSeconds?: number;
}

/** What a Task is, as its creator asked for it; fixed at creation. */
export interface TaskDefinition {
  readonly name: string;
  readonly type?: string;
  readonly createdBy: string;
  readonly eventId?: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  readonly idempotencyKey?: string;
  /** Hash of the creating command: a reused idempotency key with another body is refused. */
  readonly requestHash?: string;
  readonly originTaskId?: string;
  /** ISO 8601; the Task is `scheduled` until then. */
  readonly startAt?: string;
  readonly startBefore?: string;
  readonly timeoutSeconds?: number;
}

export interface TaskCreatedData extends TaskDefinition {
  /** All of them, or the first part when `subtaskCount` says more follow. */
  readonly subtasks: readonly PlannedSubTask[];
  /**
   * Set when the Task is too large for one commit: the SubTasks it has once planned, the rest of
   * them following in SubTasksPlanned commits. Absent: `subtasks` are all of them.
   */
  readonly subtaskCount?: number;
  /** With `subtaskCount`: the plan must be complete by then, or the Task ends unstarted. */
  readonly planBefore?: string;
}

/**
 * The next part of a Task created in parts (`part` 1, 2, ...; TaskCreated holds part 0), appended
 * after the SubTasks already planned. The commit of the last one queues the first SubTasks.
 */
export interface SubTasksPlannedData {
  readonly part: number;
  readonly subtasks: readonly PlannedSubTask[];
}

export interface SubTaskRef {
  readonly subTaskId: string;
  readonly generation: number;
}

export interface AttemptRef extends SubTaskRef {
  readonly attempt: number;
}

export interface Response {
  readonly responseCode?: string;
  readonly responseMessage?: string;
}

export interface EventOf<Type extends string, Data> {
  readonly type: Type;
  readonly version: 1;
  readonly taskId: string;
  /** ISO 8601 time of the fact. */
  readonly at: string;
  /** A user name, `system`, or `worker:<queue>`. */
  readonly actor: string;
  /** The user `actor` (a service) acted for, when it did. */
  readonly onBehalfOf?: string;
  readonly data: Data;
}

export type TaskCreated = EventOf<'TaskCreated', TaskCreatedData>;
export type SubTasksPlanned = EventOf<'SubTasksPlanned', SubTasksPlannedData>;
/**
 * The SubTask may run; the process that appended it publishes its job `<subTaskId>:<generation>` to
 * `queue` (the projection's job repair if it did not). The queue and action are carried here so that
 * publishing needs no lookup (absent in logs written before they were added: then only the repair
 * publishes it, from the SubTask's row).
 */
export type SubTaskQueued = EventOf<'SubTaskQueued', SubTaskRef & { readonly queue?: QueueName; readonly action?: string }>;
/**
 * A delivery of the SubTask's job started an attempt. `jobSeq` (the job message's JOBS stream
 * sequence) and `deliveryId` (unique per delivery, assigned by the worker) fence the attempt: any
 * other job message of this generation, and any other delivery of this attempt, is refused.
 */
export type SubTaskAttemptStarted = EventOf<'SubTaskAttemptStarted', AttemptRef & { readonly jobId: string; readonly jobSeq?: number; readonly deliveryId?: string }>;
export type SubTaskSucceeded = EventOf<'SubTaskSucceeded', AttemptRef & Response>;
export type SubTaskAttemptFailed = EventOf<'SubTaskAttemptFailed', AttemptRef & Response & { readonly nextAttemptAt: string }>;
export type SubTaskFailed = EventOf<'SubTaskFailed', AttemptRef & Response & { readonly permanent: boolean }>;
export type SubTaskTimedOut = EventOf<'SubTaskTimedOut', AttemptRef & { readonly timeoutSeconds: number }>;
/** A person asked to run a failed SubTask again: a new generation starts. */
export type SubTaskRetryRequested = EventOf<'SubTaskRetryRequested', SubTaskRef>;
/** A person let the Task go on without a failed or waiting SubTask: it counts as done for its dependents. */
export type SubTaskSkipped = EventOf<'SubTaskSkipped', { readonly subTaskId: string; readonly reason?: string }>;
/**
 * A worker chose the id of the object it is about to create (the VMID of a clone) and recorded it
 * before creating it: a later attempt looks that object up instead of creating a second one.
 */
export type SubTaskObjectReserved = EventOf<'SubTaskObjectReserved', AttemptRef & { readonly objectType: ObjectType; readonly objectId: string }>;
export type TaskStarted = EventOf<'TaskStarted', Record<string, never>>;
/**
 * A person cancelled the Task; the SubTasks it lists (all that were neither finished nor running)
 * are cancelled with it, in the one event, however many there are. Logs written before the list
 * existed hold a SubTaskCancelled per SubTask instead.
 */
export type TaskCancelRequested = EventOf<'TaskCancelRequested', { readonly reason?: string; readonly cancelledSubTaskIds?: readonly string[] }>;
/** Written by versions before TaskCancelRequested listed its SubTasks: still folded. */
export type SubTaskCancelled = EventOf<'SubTaskCancelled', { readonly subTaskId: string }>;

/** A person pinned the Task: retention keeps it until it is unpinned. */
export type TaskPinned = EventOf<'TaskPinned', { readonly reason?: string }>;
/** A person unpinned the Task: the retention policy applies to it again. */
export type TaskUnpinned = EventOf<'TaskUnpinned', { readonly reason?: string }>;

export type TaskEvent =
  | TaskCreated
  | SubTasksPlanned
  | TaskStarted
  | SubTaskQueued
  | SubTaskAttemptStarted
  | SubTaskSucceeded
  | SubTaskAttemptFailed
  | SubTaskFailed
  | SubTaskTimedOut
  | SubTaskRetryRequested
  | SubTaskSkipped
  | SubTaskObjectReserved
  | TaskCancelRequested
  | SubTaskCancelled
  | TaskStartDeadlineMissed
  | TaskTimedOut
  | TaskPinned
  | TaskUnpinned;

export type TaskEventType = TaskEvent['type'];

export const TASK_EVENT_TYPES: readonly TaskEventType[] = [
  'TaskCreated',
  'SubTasksPlanned',
  'TaskStarted',
  'SubTaskQueued',
  'SubTaskAttemptStarted',
  'SubTaskSucceeded',
  'SubTaskAttemptFailed',
  'SubTaskFailed',
  'SubTaskTimedOut',
  'SubTaskRetryRequested',
  'SubTaskSkipped',
  'SubTaskObjectReserved',
  'TaskCancelRequested',
  'SubTaskCancelled',
  'TaskStartDeadlineMissed',
  'TaskTimedOut',
  'TaskPinned',
  'TaskUnpinned',
];
