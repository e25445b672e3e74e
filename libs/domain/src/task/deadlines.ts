// The deadlines of a Task (DESIGN §4: `startAt`, `startBefore`, `timeout`), as commands the
// scheduler sends when their time comes and the facts they decide. The domain checks the time
// itself (the command's `at` against the Task), so an early or repeated command changes nothing:
// two scheduler replicas, a redelivery or a restart make one fact in the log.
//
// Both deadlines end the Task `timed_out` with a reason that says which one passed; every open
// SubTask ends with it, so a worker's late report is refused as stale by the attempt fence.

import type { CommandOf, TaskCommand } from './commands.js';
import type { EventOf, TaskEvent } from './events.js';
import { RuleViolation } from './rule-violation.js';
import { exists, type Task, type TaskState } from './state.js';
import { indexOf } from './subtask-index.js';
import { isFinished } from './subtask-status.js';

export const END_REASONS = ['START_DEADLINE_MISSED', 'TASK_TIMEOUT'] as const;
/** Why a deadline ended a Task; shown as its status reason and as its SubTasks' response code. */
export type EndReason = (typeof END_REASONS)[number];

/** A Task's `startBefore` passed: ends it if none of its SubTasks has started (the scheduler sends it). */
export type ExpireTaskStart = CommandOf<'ExpireTaskStart'>;
/** A Task's `timeoutSeconds` passed since it began to run: ends it (the scheduler sends it). */
export type TimeOutTask = CommandOf<'TimeOutTask'>;

export type TaskStartDeadlineMissed = EventOf<
  'TaskStartDeadlineMissed',
  { readonly reason: 'START_DEADLINE_MISSED'; readonly startBefore: string; readonly cancelledSubTaskIds: readonly string[] }
>;
export type TaskTimedOut = EventOf<
  'TaskTimedOut',
  { readonly reason: 'TASK_TIMEOUT'; readonly timeoutSeconds: number; readonly timedOutSubTaskIds: readonly string[]; readonly cancelledSubTaskIds: readonly string[] }
>;

type Envelope = Pick<TaskCommand, 'taskId' | 'at' | 'actor'>;

const ms = (iso: string) => Date.parse(iso);

function notDue(task: Task, what: string, due: string): RuleViolation {
  return new RuleViolation('DEADLINE_NOT_DUE', `Task ${task.id}: ${what} is due at ${due}`);
}

/** Ended by a deadline, cancelled or finished: no deadline applies any more. */
function closed(task: Task): boolean {
  return task.endReason !== undefined || task.cancelRequested || (task.planning === undefined && indexOf(task.subtasks).tally.finished === task.subtasks.length);
}

/** Some SubTask of the Task has started an attempt (or finished): the Task has started. */
function begun(task: Task): boolean {
  return indexOf(task.subtasks).tally.begun > 0;
}

/**
 * A first attempt that would start once `startBefore` passed is too late (the scheduler's
 * ExpireTaskStart, on its way, ends the Task): the worker must not run it.
 */
export function startTooLate(task: Task, at: string): boolean {
  return task.startBefore !== undefined && !begun(task) && ms(at) >= ms(task.startBefore);
}

function missed(command: Envelope, task: Task): TaskStartDeadlineMissed {
  const cancelledSubTaskIds = task.subtasks.filter((s) => !isFinished(s)).map((s) => s.id);
  return { type: 'TaskStartDeadlineMissed', version: 1, taskId: command.taskId, at: command.at, actor: command.actor, data: { reason: 'START_DEADLINE_MISSED', startBefore: task.startBefore!, cancelledSubTaskIds } };
}

/**
 * What StartTask decides before starting: nothing after an end, a refusal before `startAt`, and
 * the missed start instead of a start once `startBefore` passed (a scheduler that was down): a
 * Task that may no longer start must not queue its jobs first. Undefined: start it.
 */
export function beforeStart(command: Envelope, task: Task): TaskEvent[] | undefined {
  if (task.started || task.endReason !== undefined) return [];
  if (task.startAt !== undefined && ms(command.at) < ms(task.startAt)) throw notDue(task, 'its start', task.startAt);
  if (!task.started && task.startBefore !== undefined && ms(command.at) >= ms(task.startBefore) && !task.cancelRequested) return [missed(command, task)];
  return undefined;
}

export function expireTaskStart(command: ExpireTaskStart, task: Task): TaskEvent[] {
  // A Task that started in time, or has no start deadline, is not affected: a no-op, not an error.
  if (task.startBefore === undefined || closed(task) || begun(task)) return [];
  if (ms(command.at) < ms(task.startBefore)) throw notDue(task, 'its start deadline', task.startBefore);
  return [missed(command, task)];
}

export function timeOutTask(command: TimeOutTask, task: Task): TaskEvent[] {
  if (task.timeoutSeconds === undefined || closed(task)) return [];
  const since = task.activeSince;
  if (since === undefined) throw new RuleViolation('DEADLINE_NOT_DUE', `Task ${task.id} has not started: its timeout counts from its start`);
  const due = new Date(ms(since) + task.timeoutSeconds * 1000).toISOString();
  if (ms(command.at) < ms(due)) throw notDue(task, 'its timeout', due);
  const open = task.subtasks.filter((s) => !isFinished(s));
  const timedOutSubTaskIds = open.filter((s) => s.status === 'running').map((s) => s.id);
  const cancelledSubTaskIds = open.filter((s) => s.status !== 'running').map((s) => s.id);
  return [
    { type: 'TaskTimedOut', version: 1, taskId: command.taskId, at: command.at, actor: command.actor, data: { reason: 'TASK_TIMEOUT', timeoutSeconds: task.timeoutSeconds, timedOutSubTaskIds, cancelledSubTaskIds } },
  ];
}

/** A person's retry or skip of a Task a deadline ended is refused: the Task is over. */
export function refuseAfterEnd(command: TaskCommand, state: TaskState): void {
  if (!exists(state) || state.endReason === undefined) return;
  if (command.type === 'RetrySubTask' || command.type === 'SkipSubTask') {
    throw new RuleViolation('TASK_FINISHED', `Task ${state.id} is already ${state.status} (${state.endReason})`);
  }
}

export interface EndedSubTask {
  readonly status: 'cancelled' | 'timed_out';
  readonly responseCode: EndReason;
  readonly responseMessage: string;
}

/** The outcome a deadline leaves to each SubTask it lists (evolve), by SubTask id. */
export function endedSubTasks(event: TaskStartDeadlineMissed | TaskTimedOut): ReadonlyMap<string, EndedSubTask> {
  const ended = new Map<string, EndedSubTask>();
  // A log written by hand or by another version may lack a list: evolve never throws.
  if (event.type === 'TaskStartDeadlineMissed') {
    const outcome: EndedSubTask = { status: 'cancelled', responseCode: 'START_DEADLINE_MISSED', responseMessage: `not started before ${event.data.startBefore}` };
    for (const id of event.data.cancelledSubTaskIds ?? []) ended.set(id, outcome);
    return ended;
  }
  const responseMessage = `the Task did not finish within ${event.data.timeoutSeconds} s`;
  for (const id of event.data.cancelledSubTaskIds ?? []) ended.set(id, { status: 'cancelled', responseCode: 'TASK_TIMEOUT', responseMessage });
  // Listed as both (a log written by hand): timed out, as before.
  for (const id of event.data.timedOutSubTaskIds ?? []) ended.set(id, { status: 'timed_out', responseCode: 'TASK_TIMEOUT', responseMessage });
  return ended;
}
