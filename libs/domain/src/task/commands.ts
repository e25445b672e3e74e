// What can be asked of a Task. The clock (`at`) and the actor arrive inside the command; ids are
// assigned by the caller, so decide stays pure.

import type { ExpireTaskStart, TimeOutTask } from './deadlines.js';
import type { JsonObject, ObjectType, Response, TaskDefinition } from './events.js';

export interface CommandOf<Type extends string> {
  readonly type: Type;
  readonly taskId: string;
  /** ISO 8601: the time the command is handled. */
  readonly at: string;
  readonly actor: string;
  /**
   * The user a service acted for (its token may act for users): `actor` is the service, this is the
   * person whose action it is. Absent when the actor acted for itself.
   */
  readonly onBehalfOf?: string;
}

/** One step as a client asks for it: dependencies by key; the id is assigned by the caller. */
export interface SubTaskDraft {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly action: string;
  /** Checked against the queues of libs/contracts. */
  readonly queue: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  readonly params?: JsonObject;
  readonly dependsOn?: readonly string[];
  readonly bestEffort?: boolean;
  readonly timeoutSeconds?: number;
}

/** The definition's `type` is `taskType` here: `type` names the command. */
export interface CreateTask extends CommandOf<'CreateTask'>, Omit<TaskDefinition, 'type'> {
  readonly taskType?: string;
  /** All of the Task's SubTasks, however many commits it takes to record them. */
  readonly subtasks: readonly SubTaskDraft[];
  /**
   * The encoded size a commit of this creation may take (the caller's share of the log's limit).
   * A Task larger than that is created in parts, one per handling of this same command
   * (create-task.ts); without it, in one TaskCreated whatever its size.
   */
  readonly maxCommitBytes?: number;
}

/** A scheduled Task's start time has come (the scheduler sends it). */
export type StartTask = CommandOf<'StartTask'>;

interface AttemptCommand {
  readonly subTaskId: string;
  readonly generation: number;
  /** The delivery count of this generation's job. */
  readonly attempt: number;
  /**
   * The delivery that started this attempt (RecordAttemptStarted's `deliveryId`): a report from any
   * other delivery is refused. Absent for what the runtime records about a delivery that died.
   */
  readonly deliveryId?: string;
}

export interface RecordAttemptStarted extends CommandOf<'RecordAttemptStarted'>, AttemptCommand {
  readonly jobId: string;
  /** The queue the job arrived on: a job on another queue than the SubTask's is refused. */
  readonly queue: string;
  /** The job message's stream sequence in JOBS: one message per generation may start attempts. */
  readonly jobSeq: number;
  /** Unique per delivery (assigned by the worker): the fence of this attempt. */
  readonly deliveryId: string;
}

export interface RecordSubTaskSucceeded extends CommandOf<'RecordSubTaskSucceeded'>, AttemptCommand, Response {}

export interface RecordAttemptFailed extends CommandOf<'RecordAttemptFailed'>, AttemptCommand, Response {
  /** Delay before the next attempt, or null when no attempt follows (permanent error, attempts exhausted). */
  readonly retryInMs: number | null;
  /** The error is known to be permanent. */
  readonly permanent: boolean;
}

export interface RecordSubTaskTimedOut extends CommandOf<'RecordSubTaskTimedOut'>, AttemptCommand {
  readonly timeoutSeconds: number;
}

/** A worker reserves the id of the object its attempt is about to create (DESIGN §7: look it up before creating again). */
export interface RecordObjectReserved extends CommandOf<'RecordObjectReserved'>, AttemptCommand {
  readonly objectType: ObjectType;
  readonly objectId: string;
}

/**
 * A SubTask's job will not be delivered again (its consumer gave up: the last delivery's worker died,
 * or the server stopped delivering it) while the SubTask is not finished: it ends failed, WORKER_LOST.
 */
export interface RecordWorkerLost extends CommandOf<'RecordWorkerLost'> {
  readonly subTaskId: string;
  readonly generation: number;
  readonly responseMessage: string;
}

export interface RetrySubTask extends CommandOf<'RetrySubTask'> {
  readonly subTaskId: string;
  /** How long after it failed a SubTask may still be retried by a person (DESIGN §4: 24 h). */
  readonly retryWindowMs: number;
}

/** A person resumes a Task past a failed, timed-out or blocked SubTask. */
export interface SkipSubTask extends CommandOf<'SkipSubTask'> {
  readonly subTaskId: string;
  readonly reason?: string;
}

export interface CancelTask extends CommandOf<'CancelTask'> {
  readonly reason?: string;
}

/**
 * Keep a Task whatever its age: the projection's retention never deletes a pinned Task (README,
 * "Retention"). An event, so that a rebuild of the read model from the log keeps the pin.
 */
export interface PinTask extends CommandOf<'PinTask'> {
  readonly reason?: string;
}

/** Let the retention policy apply to the Task again. */
export interface UnpinTask extends CommandOf<'UnpinTask'> {
  readonly reason?: string;
}

export type TaskCommand =
  | CreateTask
  | StartTask
  | RecordAttemptStarted
  | RecordSubTaskSucceeded
  | RecordAttemptFailed
  | RecordSubTaskTimedOut
  | RecordObjectReserved
  | RecordWorkerLost
  | RetrySubTask
  | SkipSubTask
  | CancelTask
  | PinTask
  | UnpinTask
  | ExpireTaskStart
  | TimeOutTask;
