// decide(command, state) -> events. Returns [] for a command already applied (redelivery, a retried
// request) and throws a RuleViolation for one the rules refuse. Queueing is decided here too
// (queueing.ts): every decision is followed, in its commit, by the SubTaskQueued facts of the
// SubTasks it makes ready.

import type { CancelTask, PinTask, UnpinTask, SkipSubTask, RecordAttemptFailed, RecordObjectReserved, RecordAttemptStarted, RecordWorkerLost, RecordSubTaskSucceeded, RecordSubTaskTimedOut, RetrySubTask, StartTask, TaskCommand } from './commands.js';
import { createTask } from './create-task.js';
import { beforeStart, expireTaskStart, refuseAfterEnd, startTooLate, timeOutTask } from './deadlines.js';
import type { TaskEvent } from './events.js';
import { fact } from './fact.js';
import { withQueueing } from './queueing.js';
import { RuleViolation } from './rule-violation.js';
import { exists, type SubTask, type Task, type TaskState } from './state.js';
import { subTaskById } from './subtask-index.js';
import { isFinished } from './subtask-status.js';

export function decide(command: TaskCommand, state: TaskState): TaskEvent[] {
  // A creation queues in its last part's commit, within that commit's size (create-task.ts).
  if (command.type === 'CreateTask') return createTask(command, state);
  if (!exists(state)) throw new RuleViolation('TASK_NOT_FOUND', `Task ${command.taskId} does not exist`, 'taskId');
  refuseAfterEnd(command, state);
  return withQueueing(state, decideOn(command, state));
}

function decideOn(command: Exclude<TaskCommand, { type: 'CreateTask' }>, state: Task): TaskEvent[] {
  switch (command.type) {
    case 'StartTask':
      return startTask(command, state);
    case 'RecordAttemptStarted':
      return recordAttemptStarted(command, state);
    case 'RecordSubTaskSucceeded':
      return recordSucceeded(command, state);
    case 'RecordAttemptFailed':
      return recordAttemptFailed(command, state);
    case 'RecordSubTaskTimedOut':
      return recordTimedOut(command, state);
    case 'RecordObjectReserved':
      return recordObjectReserved(command, state);
    case 'RecordWorkerLost':
      return recordWorkerLost(command, state);
    case 'RetrySubTask':
      return retrySubTask(command, state);
    case 'SkipSubTask':
      return skipSubTask(command, state);
    case 'CancelTask':
      return cancelTask(command, state);
    case 'PinTask':
      return pinTask(command, state);
    case 'UnpinTask':
      return unpinTask(command, state);
    case 'ExpireTaskStart':
      return expireTaskStart(command, state);
    case 'TimeOutTask':
      return timeOutTask(command, state);
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

function startTask(command: StartTask, task: Task): TaskEvent[] {
  const instead = beforeStart(command, task);
  if (instead) return instead;
  if (task.cancelRequested) throw new RuleViolation('TASK_CANCELLED', `Task ${task.id} was cancelled`);
  return [fact(command, 'TaskStarted', {})];
}

function subTaskOf(task: Task, subTaskId: string): SubTask {
  const subTask = subTaskById(task, subTaskId);
  if (!subTask) throw new RuleViolation('SUBTASK_NOT_FOUND', `Task ${task.id} has no SubTask ${subTaskId}`, 'subTaskId');
  return subTask;
}

/** The attempt a worker reports on must be the SubTask's current one, from the delivery that started it. */
function currentAttempt(task: Task, command: { subTaskId: string; generation: number; attempt: number; deliveryId?: string }): SubTask {
  const subTask = subTaskOf(task, command.subTaskId);
  if (command.generation !== subTask.generation || command.attempt !== subTask.attempt) {
    throw new RuleViolation(
      'STALE_ATTEMPT',
      `SubTask ${subTask.id} is at generation ${subTask.generation} attempt ${subTask.attempt}; generation ${command.generation} attempt ${command.attempt} is out of date`,
    );
  }
  if (command.deliveryId !== undefined && subTask.deliveryId !== undefined && command.deliveryId !== subTask.deliveryId) {
    throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} attempt ${subTask.attempt} runs in another delivery`);
  }
  return subTask;
}

function recordAttemptStarted(command: RecordAttemptStarted, task: Task): TaskEvent[] {
  const subTask = subTaskOf(task, command.subTaskId);
  if (command.queue !== subTask.queue) {
    throw new RuleViolation('WRONG_QUEUE', `SubTask ${subTask.id} runs on queue ${subTask.queue}; a job for it arrived on ${command.queue}`);
  }
  if (command.generation !== subTask.generation) {
    throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is at generation ${subTask.generation}, the job is of generation ${command.generation}`);
  }
  if (isFinished(subTask)) throw new RuleViolation('SUBTASK_FINISHED', `SubTask ${subTask.id} is already ${subTask.status}`);
  if (subTask.status === 'blocked') throw new RuleViolation('SUBTASK_NOT_QUEUED', `SubTask ${subTask.id} is not queued`);
  if (startTooLate(task, command.at)) {
    throw new RuleViolation('START_DEADLINE_MISSED', `Task ${task.id} had to start before ${task.startBefore}; its first attempt came at ${command.at}`);
  }
  // One job message per generation runs attempts: a copy published again (after the JOBS duplicate
  // window by the projection's job repair, or by hand) is refused however it is numbered.
  if (subTask.jobSeq !== undefined && command.jobSeq !== subTask.jobSeq) {
    throw new RuleViolation('DUPLICATE_JOB', `SubTask ${subTask.id} generation ${subTask.generation} runs from job message ${subTask.jobSeq}; message ${command.jobSeq} is a duplicate`);
  }
  if (command.attempt === subTask.attempt && subTask.status === 'running') {
    // The same delivery recording again (its first append's answer was lost) is absorbed; another
    // delivery with the same count (a server that lost its consumer state) must not run it twice.
    if (command.deliveryId === subTask.deliveryId) return [];
    throw new RuleViolation('ATTEMPT_IN_PROGRESS', `SubTask ${subTask.id} attempt ${subTask.attempt} is already running in another delivery`);
  }
  // A later delivery of the same job (redelivery after a crash or a nak) starts a later attempt; an
  // earlier one is a stalled worker's.
  if (command.attempt <= subTask.attempt) {
    throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is already at attempt ${subTask.attempt}; attempt ${command.attempt} is out of date`);
  }
  const { jobId, jobSeq, deliveryId } = command;
  return [fact(command, 'SubTaskAttemptStarted', { subTaskId: subTask.id, generation: command.generation, attempt: command.attempt, jobId, jobSeq, deliveryId })];
}

function alreadyRecorded(subTask: SubTask, command: { generation: number; attempt: number }, status: SubTask['status']): boolean {
  return subTask.status === status && subTask.generation === command.generation && subTask.attempt === command.attempt;
}

function recordSucceeded(command: RecordSubTaskSucceeded, task: Task): TaskEvent[] {
  const subTask = currentAttempt(task, command);
  if (alreadyRecorded(subTask, command, 'success')) return [];
  if (subTask.status !== 'running') throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is ${subTask.status}, not running`);
  const { subTaskId, generation, attempt, responseCode, responseMessage } = command;
  return [fact(command, 'SubTaskSucceeded', { subTaskId, generation, attempt, responseCode, responseMessage })];
}

function recordAttemptFailed(command: RecordAttemptFailed, task: Task): TaskEvent[] {
  const subTask = currentAttempt(task, command);
  if (alreadyRecorded(subTask, command, 'retrying') || alreadyRecorded(subTask, command, 'failed')) return [];
  if (subTask.status !== 'running') throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is ${subTask.status}, not running`);
  const { subTaskId, generation, attempt, responseCode, responseMessage } = command;
  if (command.permanent || command.retryInMs === null || task.cancelRequested) {
    return [fact(command, 'SubTaskFailed', { subTaskId, generation, attempt, responseCode, responseMessage, permanent: command.permanent })];
  }
  const nextAttemptAt = new Date(Date.parse(command.at) + command.retryInMs).toISOString();
  return [fact(command, 'SubTaskAttemptFailed', { subTaskId, generation, attempt, responseCode, responseMessage, nextAttemptAt })];
}

function recordTimedOut(command: RecordSubTaskTimedOut, task: Task): TaskEvent[] {
  const subTask = currentAttempt(task, command);
  if (alreadyRecorded(subTask, command, 'timed_out')) return [];
  if (subTask.status !== 'running') throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is ${subTask.status}, not running`);
  const { subTaskId, generation, attempt, timeoutSeconds } = command;
  return [fact(command, 'SubTaskTimedOut', { subTaskId, generation, attempt, timeoutSeconds })];
}

function recordObjectReserved(command: RecordObjectReserved, task: Task): TaskEvent[] {
  const subTask = currentAttempt(task, command);
  if (subTask.status !== 'running') throw new RuleViolation('STALE_ATTEMPT', `SubTask ${subTask.id} is ${subTask.status}, not running`);
  if (subTask.objectType === command.objectType && subTask.objectId === command.objectId) return [];
  // An attempt reserves one object: a second one would leave the first (perhaps being created) unowned.
  if (subTask.reservedBy === `${command.generation}:${command.attempt}`) {
    throw new RuleViolation('ALREADY_RESERVED', `SubTask ${subTask.id} attempt ${command.attempt} already reserved ${subTask.objectType} ${subTask.objectId}; a later attempt may reserve another`);
  }
  const { subTaskId, generation, attempt, objectType, objectId } = command;
  return [fact(command, 'SubTaskObjectReserved', { subTaskId, generation, attempt, objectType, objectId })];
}

function recordWorkerLost(command: RecordWorkerLost, task: Task): TaskEvent[] {
  const subTask = subTaskOf(task, command.subTaskId);
  // Nothing is lost when the SubTask already ended or moved on to another generation.
  if (subTask.generation !== command.generation || isFinished(subTask) || subTask.status === 'blocked') return [];
  return [fact(command, 'SubTaskFailed', { subTaskId: subTask.id, generation: subTask.generation, attempt: subTask.attempt, responseCode: 'WORKER_LOST', responseMessage: command.responseMessage, permanent: false })];
}

function retrySubTask(command: RetrySubTask, task: Task): TaskEvent[] {
  const subTask = subTaskOf(task, command.subTaskId);
  refuseWhilePlanning(task);
  if (task.cancelRequested) throw new RuleViolation('TASK_CANCELLED', `Task ${task.id} was cancelled`);
  if (subTask.status !== 'failed' && subTask.status !== 'timed_out') {
    throw new RuleViolation('NOT_RETRYABLE', `SubTask ${subTask.id} is ${subTask.status}; only a failed or timed-out SubTask can be retried`, 'subTaskId');
  }
  const failedAt = Date.parse(subTask.finishedAt ?? subTask.updatedAt);
  if (Date.parse(command.at) - failedAt > command.retryWindowMs) {
    throw new RuleViolation('RETRY_WINDOW_EXPIRED', `SubTask ${subTask.id} failed at ${subTask.finishedAt}; it can be retried for ${Math.round(command.retryWindowMs / 3_600_000)} h`);
  }
  const generation = subTask.generation + 1;
  return [
    fact(command, 'SubTaskRetryRequested', { subTaskId: subTask.id, generation }),
    fact(command, 'SubTaskQueued', { subTaskId: subTask.id, generation, queue: subTask.queue, action: subTask.action }),
  ];
}

function skipSubTask(command: SkipSubTask, task: Task): TaskEvent[] {
  const subTask = subTaskOf(task, command.subTaskId);
  if (subTask.status === 'skipped') return [];
  refuseWhilePlanning(task);
  if (task.cancelRequested) throw new RuleViolation('TASK_CANCELLED', `Task ${task.id} was cancelled`);
  if (!['failed', 'timed_out', 'blocked'].includes(subTask.status)) {
    throw new RuleViolation('NOT_SKIPPABLE', `SubTask ${subTask.id} is ${subTask.status}; only a failed, timed-out or blocked SubTask can be skipped`, 'subTaskId');
  }
  return [fact(command, 'SubTaskSkipped', { subTaskId: subTask.id, reason: command.reason })];
}

function cancelTask(command: CancelTask, task: Task): TaskEvent[] {
  if (task.cancelRequested) return [];
  const open = task.subtasks.filter((s) => !isFinished(s));
  if (open.length === 0 && task.planning === undefined) throw new RuleViolation('TASK_FINISHED', `Task ${task.id} is already ${task.status}`);
  // Running SubTasks finish (or fail) on their own; their workers are not interrupted. The others
  // are listed in the one event: a SubTaskCancelled each would not fit a commit for a large Task.
  const cancelledSubTaskIds = open.filter((s) => s.status !== 'running').map((s) => s.id);
  return [fact(command, 'TaskCancelRequested', { reason: command.reason, cancelledSubTaskIds })];
}

/** Any Task may be pinned, finished or not: pinning changes only what the retention may delete. */
function pinTask(command: PinTask, task: Task): TaskEvent[] {
  if (task.pinned === true) return [];
  return [fact(command, 'TaskPinned', { reason: command.reason })];
}

function unpinTask(command: UnpinTask, task: Task): TaskEvent[] {
  if (task.pinned !== true) return [];
  return [fact(command, 'TaskUnpinned', { reason: command.reason })];
}

/** A person's retry or skip waits until the Task is planned: nothing of it has run yet. */
function refuseWhilePlanning(task: Task): void {
  if (task.planning !== undefined) {
    throw new RuleViolation('TASK_PLANNING', `Task ${task.id} is still being created (${task.subtasks.length} of ${task.planning.total} SubTasks planned)`);
  }
}
