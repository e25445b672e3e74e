// The evolve of libs/domain as it was before issue 9 made it linear (commit 779000a: evolve.ts,
// status.ts, the predicates of dag.ts and deadlines.ts' endedSubTask, copied unchanged but for
// their names): the reference model the new fold must match, state for state, on every event
// sequence those events can form. Test support only.

import type { TaskStartDeadlineMissed, TaskTimedOut } from '../deadlines.js';
import type { PlannedSubTask, SubTasksPlanned, TaskCreated, TaskEvent, TaskPinned, TaskUnpinned } from '../events.js';
import type { SubTask, SubTaskStatus, Task, TaskState, TaskStatus } from '../state.js';

/** The events there were then (pinning came later and changes no status). */
export type ReferenceEvent = Exclude<TaskEvent, SubTasksPlanned | TaskPinned | TaskUnpinned>;

export function referenceEvolve(state: TaskState, event: ReferenceEvent): TaskState {
  if (event.type === 'TaskCreated') return state.status === 'absent' ? created(event) : state;
  if (state.status === 'absent') return state;
  const task = referenceApply(state, event);
  return task === state ? state : withDerived(task, event.at);
}

/** Blocked SubTasks whose dependencies all let them run (dag.ts readySubTasks). */
export function referenceReady(task: Task): SubTask[] {
  if (!task.started || task.cancelRequested) return [];
  const byId = new Map(task.subtasks.map((s) => [s.id, s]));
  return task.subtasks.filter((s) => s.status === 'blocked' && s.dependsOn.every((id) => satisfies(byId.get(id)!)));
}

function referenceApply(task: Task, event: Exclude<ReferenceEvent, TaskCreated>): Task {
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
        const ended = referenceEnded(event, s.id);
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
  const status = referenceStatus(task);
  const terminal = TERMINAL_TASK_STATUSES.has(status);
  const startedAt = task.startedAt ?? (task.subtasks.some((s) => s.startedAt) ? at : undefined);
  return {
    ...task,
    status,
    progress: referenceProgress(task.subtasks),
    startedAt,
    finishedAt: terminal ? (TERMINAL_TASK_STATUSES.has(task.status) && task.finishedAt ? task.finishedAt : at) : undefined,
    updatedAt: at,
    version: task.version + 1,
  };
}

// ---- status.ts -------------------------------------------------------------------------------

const TERMINAL_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set(['success', 'warning', 'failed', 'cancelled', 'timed_out']);

function referenceStatus(task: Task): TaskStatus {
  if (task.endReason !== undefined) return 'timed_out';
  const subtasks = task.subtasks;
  const running = subtasks.some((s) => s.status === 'running');
  if (task.cancelRequested) return running ? 'cancelling' : 'cancelled';
  const progressing = subtasks.some(isInFlight);
  if (!progressing) {
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

function referenceProgress(subtasks: readonly SubTask[]): number {
  if (subtasks.length === 0) return 0;
  return subtasks.filter(isFinished).length / subtasks.length;
}

// ---- dag.ts ----------------------------------------------------------------------------------

const FINISHED: ReadonlySet<SubTaskStatus> = new Set(['success', 'failed', 'skipped', 'cancelled', 'timed_out']);
const IN_FLIGHT: ReadonlySet<SubTaskStatus> = new Set(['queued', 'running', 'retrying']);

function isFinished(subTask: SubTask): boolean {
  return FINISHED.has(subTask.status);
}

function isInFlight(subTask: SubTask): boolean {
  return IN_FLIGHT.has(subTask.status);
}

function isRequiredFailure(subTask: SubTask): boolean {
  return !subTask.bestEffort && (subTask.status === 'failed' || subTask.status === 'timed_out');
}

function satisfies(dependency: SubTask): boolean {
  return dependency.status === 'success' || dependency.status === 'skipped' || (dependency.bestEffort && (dependency.status === 'failed' || dependency.status === 'timed_out'));
}

// ---- deadlines.ts ----------------------------------------------------------------------------

function referenceEnded(event: TaskStartDeadlineMissed | TaskTimedOut, subTaskId: string): { status: 'cancelled' | 'timed_out'; responseCode: 'START_DEADLINE_MISSED' | 'TASK_TIMEOUT'; responseMessage: string } | undefined {
  const listed = (ids: readonly string[] | undefined) => (ids ?? []).includes(subTaskId);
  if (event.type === 'TaskStartDeadlineMissed') {
    if (!listed(event.data.cancelledSubTaskIds)) return undefined;
    return { status: 'cancelled', responseCode: 'START_DEADLINE_MISSED', responseMessage: `not started before ${event.data.startBefore}` };
  }
  const timedOut = listed(event.data.timedOutSubTaskIds);
  if (!timedOut && !listed(event.data.cancelledSubTaskIds)) return undefined;
  return { status: timedOut ? 'timed_out' : 'cancelled', responseCode: 'TASK_TIMEOUT', responseMessage: `the Task did not finish within ${event.data.timeoutSeconds} s` };
}
