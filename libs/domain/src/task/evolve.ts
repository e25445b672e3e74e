// evolve(state, event) -> state. Never throws: an event is a fact that already happened; one that
// does not fit the state (a bug elsewhere, or a log written by another version) leaves it unchanged.

import { endedSubTask } from './deadlines.js';
import type { PlannedSubTask, TaskCreated, TaskEvent } from './events.js';
import type { SubTask, Task, TaskState } from './state.js';
import { deriveProgress, deriveStatus, TERMINAL_TASK_STATUSES } from './status.js';

export function evolve(state: TaskState, event: TaskEvent): TaskState {
  if (event.type === 'TaskCreated') return state.status === 'absent' ? created(event) : state;
  if (state.status === 'absent') return state;
  const task = applyTo(state, event);
  return task === state ? state : withDerived(task, event.at);
}

function applyTo(task: Task, event: Exclude<TaskEvent, TaskCreated>): Task {
  const at = event.at;
  switch (event.type) {
    case 'TaskStarted':
      return { ...task, started: true, activeSince: at };
    case 'SubTaskQueued':
      return patch(task, event.data.subTaskId, at, {
        status: 'queued',
        generation: event.data.generation,
        attempt: 0,
        jobSeq: undefined,
        deliveryId: undefined,
        queuedAt: at,
        nextAttemptAt: undefined,
      });
    case 'SubTaskAttemptStarted':
      return patch(task, event.data.subTaskId, at, (s) => ({
        status: 'running',
        attempt: event.data.attempt,
        // States folded before the count existed (stored read-model states) have none.
        executions: (s.executions ?? 0) + 1,
        jobId: event.data.jobId,
        jobSeq: event.data.jobSeq ?? s.jobSeq,
        deliveryId: event.data.deliveryId,
        startedAt: s.startedAt ?? at,
        nextAttemptAt: undefined,
      }));
    case 'SubTaskSucceeded':
      return patch(task, event.data.subTaskId, at, {
        status: 'success',
        responseCode: event.data.responseCode,
        responseMessage: event.data.responseMessage,
        finishedAt: at,
      });
    case 'SubTaskAttemptFailed':
      return patch(task, event.data.subTaskId, at, (s) => ({
        status: 'retrying',
        responseCode: event.data.responseCode,
        responseMessage: event.data.responseMessage,
        nextAttemptAt: event.data.nextAttemptAt,
        failedAttempts: s.failedAttempts + 1,
      }));
    case 'SubTaskFailed':
      return patch(task, event.data.subTaskId, at, (s) => ({
        status: 'failed',
        responseCode: event.data.responseCode,
        responseMessage: event.data.responseMessage,
        failedAttempts: s.failedAttempts + 1,
        finishedAt: at,
      }));
    case 'SubTaskTimedOut':
      return patch(task, event.data.subTaskId, at, (s) => ({
        status: 'timed_out',
        responseCode: 'TIMEOUT',
        responseMessage: `attempt ${event.data.attempt} did not finish within ${event.data.timeoutSeconds} s`,
        failedAttempts: s.failedAttempts + 1,
        finishedAt: at,
      }));
    case 'SubTaskRetryRequested':
      return { ...patch(task, event.data.subTaskId, at, { finishedAt: undefined }), manualIntervention: true };
    case 'SubTaskSkipped':
      return { ...patch(task, event.data.subTaskId, at, { status: 'skipped', finishedAt: at, nextAttemptAt: undefined }), manualIntervention: true };
    case 'SubTaskObjectReserved':
      return patch(task, event.data.subTaskId, at, { objectType: event.data.objectType, objectId: event.data.objectId, reservedBy: `${event.data.generation}:${event.data.attempt}` });
    case 'TaskCancelRequested':
      return { ...task, cancelRequested: true };
    case 'SubTaskCancelled':
      return patch(task, event.data.subTaskId, at, { status: 'cancelled', finishedAt: at, nextAttemptAt: undefined });
    case 'TaskStartDeadlineMissed':
    case 'TaskTimedOut':
      return task.subtasks.reduce<Task>((t, s) => {
        const ended = endedSubTask(event, s.id);
        return ended ? patch(t, s.id, at, { ...ended, finishedAt: at, nextAttemptAt: undefined }) : t;
      }, { ...task, endReason: event.data.reason });
    default: {
      // Exhaustive at compile time; at run time an event type from a newer version is ignored.
      const unknown: never = event;
      void unknown;
      return task;
    }
  }
}

function created(event: TaskCreated): Task {
  const { subtasks: planned, ...definition } = event.data;
  const started = definition.startAt === undefined || Date.parse(definition.startAt) <= Date.parse(event.at);
  const task: Task = {
    ...definition,
    status: 'queued',
    id: event.taskId,
    started,
    activeSince: started ? event.at : undefined,
    cancelRequested: false,
    manualIntervention: false,
    subtasks: planned.map((p) => newSubTask(p, event.at)),
    progress: 0,
    createdAt: event.at,
    updatedAt: event.at,
    version: 0,
  };
  return withDerived(task, event.at);
}

function newSubTask(planned: PlannedSubTask, at: string): SubTask {
  return { ...planned, status: 'blocked', generation: 0, attempt: 0, failedAttempts: 0, executions: 0, updatedAt: at };
}

type SubTaskPatch = Partial<Omit<SubTask, 'id'>>;

function patch(task: Task, subTaskId: string, at: string, change: SubTaskPatch | ((s: SubTask) => SubTaskPatch)): Task {
  const index = task.subtasks.findIndex((s) => s.id === subTaskId);
  if (index < 0) return task;
  const current = task.subtasks[index]!;
  const next = { ...current, ...(typeof change === 'function' ? change(current) : change), updatedAt: at };
  const subtasks = task.subtasks.slice();
  subtasks[index] = next;
  return { ...task, subtasks };
}

function withDerived(task: Task, at: string): Task {
  const status = deriveStatus(task);
  const terminal = TERMINAL_TASK_STATUSES.has(status);
  const startedAt = task.startedAt ?? (task.subtasks.some((s) => s.startedAt) ? at : undefined);
  return {
    ...task,
    status,
    progress: deriveProgress(task.subtasks),
    startedAt,
    finishedAt: terminal ? (TERMINAL_TASK_STATUSES.has(task.status) && task.finishedAt ? task.finishedAt : at) : undefined,
    updatedAt: at,
    version: task.version + 1,
  };
}
