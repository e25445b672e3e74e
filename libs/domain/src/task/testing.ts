// given(events).when(command).then(events) for the unit tests of the Task aggregate (emmett style).

import type { CreateTask, SubTaskDraft, TaskCommand } from './commands.js';
import { decide } from './decide.js';
import type { TaskEvent } from './events.js';
import { evolve } from './evolve.js';
import { RuleViolation } from './rule-violation.js';
import { initialState, type Task, type TaskState } from './state.js';

/** The RuleViolation `fn` throws (anything else is rethrown; no throw fails the test). */
export function violation(fn: () => unknown): RuleViolation {
  try {
    fn();
  } catch (error) {
    if (error instanceof RuleViolation) return error;
    throw error;
  }
  throw new Error('expected a RuleViolation');
}

export const TASK_ID = '0190a7e2-0000-7000-8000-000000000001';
export const T0 = '2026-11-22T10:00:00.000Z';

export function at(seconds: number): string {
  return new Date(Date.parse(T0) + seconds * 1000).toISOString();
}

export function fold(events: readonly TaskEvent[]): TaskState {
  return events.reduce(evolve, initialState);
}

export function taskOf(events: readonly TaskEvent[]): Task {
  const state = fold(events);
  if (state.status === 'absent') throw new Error('no Task in these events');
  return state;
}

export function draft(key: string, dependsOn: string[] = [], extra: Partial<SubTaskDraft> = {}): SubTaskDraft {
  return { id: `st-${key}`, key, name: `Step ${key}`, action: 'noop', queue: 'bench', dependsOn, ...extra };
}

export function createTask(subtasks: SubTaskDraft[], extra: Partial<CreateTask> = {}): CreateTask {
  return { type: 'CreateTask', taskId: TASK_ID, at: T0, actor: 'alice', name: 'Test task', createdBy: 'alice', subtasks, ...extra };
}

/** Runs `command` against the state folded from `history`, returning the new events and the state after them. */
export function given(history: readonly TaskEvent[]) {
  return {
    when(command: TaskCommand) {
      const events = decide(command, fold(history));
      return { events, history: [...history, ...events], task: () => taskOf([...history, ...events]) };
    },
  };
}

/** The events of a whole scenario, step by step. */
export function run(commands: readonly TaskCommand[], history: readonly TaskEvent[] = []): TaskEvent[] {
  return commands.reduce<TaskEvent[]>((events, command) => [...events, ...decide(command, fold(events))], [...history]);
}

export function types(events: readonly TaskEvent[]): string[] {
  return events.map((e) => (e.type === 'SubTaskQueued' ? `SubTaskQueued(${e.data.subTaskId})` : e.type));
}

type Attempt = { subTaskId: string; generation?: number; attempt?: number; at?: string };
/** A delivery of a job: its JOBS stream sequence, the delivery's id and the queue it arrived on. */
type Delivery = { jobSeq?: number; deliveryId?: string; queue?: string };

export const cmd = {
  start: ({ subTaskId, generation = 1, attempt = 1, at: when = T0 }: Attempt, delivery: Delivery = {}): TaskCommand => ({
    type: 'RecordAttemptStarted', taskId: TASK_ID, at: when, actor: 'worker:bench', subTaskId, generation, attempt, jobId: `${subTaskId}:${generation}`,
    queue: delivery.queue ?? 'bench', jobSeq: delivery.jobSeq ?? 100 * generation, deliveryId: delivery.deliveryId ?? `d-${subTaskId}-${generation}-${attempt}`,
  }),
  succeed: ({ subTaskId, generation = 1, attempt = 1, at: when = T0 }: Attempt): TaskCommand => ({
    type: 'RecordSubTaskSucceeded', taskId: TASK_ID, at: when, actor: 'worker:bench', subTaskId, generation, attempt, responseCode: 'OK', responseMessage: 'done',
  }),
  fail: ({ subTaskId, generation = 1, attempt = 1, at: when = T0 }: Attempt, retryInMs: number | null, permanent = false): TaskCommand => ({
    type: 'RecordAttemptFailed', taskId: TASK_ID, at: when, actor: 'worker:bench', subTaskId, generation, attempt, responseCode: 'E', responseMessage: 'boom', retryInMs, permanent,
  }),
  timeOut: ({ subTaskId, generation = 1, attempt = 1, at: when = T0 }: Attempt): TaskCommand => ({
    type: 'RecordSubTaskTimedOut', taskId: TASK_ID, at: when, actor: 'worker:bench', subTaskId, generation, attempt, timeoutSeconds: 30,
  }),
  reserve: ({ subTaskId, generation = 1, attempt = 1, at: when = T0 }: Attempt, objectId: string): TaskCommand => ({
    type: 'RecordObjectReserved', taskId: TASK_ID, at: when, actor: 'worker:pve_vm_clone', subTaskId, generation, attempt, objectType: 'vm', objectId,
  }),
  workerLost: (subTaskId: string, generation = 1, when = T0): TaskCommand => ({
    type: 'RecordWorkerLost', taskId: TASK_ID, at: when, actor: 'worker:bench', subTaskId, generation, responseMessage: 'the job was delivered 6 times and never settled',
  }),
  retry: (subTaskId: string, when = T0, retryWindowMs = 24 * 3600_000): TaskCommand => ({
    type: 'RetrySubTask', taskId: TASK_ID, at: when, actor: 'admin', subTaskId, retryWindowMs,
  }),
  skip: (subTaskId: string, when = T0): TaskCommand => ({ type: 'SkipSubTask', taskId: TASK_ID, at: when, actor: 'admin', subTaskId, reason: 'done by hand' }),
  cancel: (when = T0): TaskCommand => ({ type: 'CancelTask', taskId: TASK_ID, at: when, actor: 'admin', reason: 'not needed' }),
  pin: (when = T0, actor = 'admin'): TaskCommand => ({ type: 'PinTask', taskId: TASK_ID, at: when, actor, reason: 'evidence' }),
  unpin: (when = T0, actor = 'admin'): TaskCommand => ({ type: 'UnpinTask', taskId: TASK_ID, at: when, actor, reason: 'done' }),
  startTask: (when = T0): TaskCommand => ({ type: 'StartTask', taskId: TASK_ID, at: when, actor: 'system' }),
  expireStart: (when = T0): TaskCommand => ({ type: 'ExpireTaskStart', taskId: TASK_ID, at: when, actor: 'system' }),
  timeOutTask: (when = T0): TaskCommand => ({ type: 'TimeOutTask', taskId: TASK_ID, at: when, actor: 'system' }),
};

/** Runs a SubTask through one successful attempt. */
export function succeedAll(history: readonly TaskEvent[], ...subTaskIds: string[]): TaskEvent[] {
  return run(subTaskIds.flatMap((id) => [cmd.start({ subTaskId: id }), cmd.succeed({ subTaskId: id })]), history);
}
