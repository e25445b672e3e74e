// A pending deadline of a Task, as the scheduler keeps it on `tasks.due.<taskId>` (TASK_DEADLINES):
// which internal command to send, and when. Derived from the Task as folded by the domain, so the
// rules of when a Task starts and when its timeout counts from are the domain's, not copied here.

import { SYSTEM_COMMAND_NAMES, type SystemCommandName } from '@vle/contracts';
import type { Task } from '@vle/domain';

export interface Deadline {
  readonly taskId: string;
  /** start at `startAt`, expire-start at `startBefore`, time-out at the start + `timeoutSeconds`. */
  readonly command: SystemCommandName;
  /** ISO 8601. */
  readonly dueAt: string;
}

/** The deadlines a Task has once created (`created`) or once a delayed one started (`started`). */
export function deadlinesOf(task: Task, moment: 'created' | 'started'): Deadline[] {
  const deadlines: Deadline[] = [];
  const add = (command: SystemCommandName, dueAt: string) => deadlines.push({ taskId: task.id, command, dueAt });
  if (moment === 'created') {
    if (!task.started && task.startAt !== undefined) add('start', task.startAt);
    if (task.startBefore !== undefined) add('expire-start', task.startBefore);
  }
  // A delayed Task's timeout counts from its start: it is recorded when TaskStarted is.
  if (task.started && task.timeoutSeconds !== undefined && task.activeSince !== undefined) {
    add('time-out', new Date(Date.parse(task.activeSince) + task.timeoutSeconds * 1000).toISOString());
  }
  return deadlines;
}

/** One message id per Task and command: a recorder that publishes again (redelivery) is absorbed. */
export function deadlineMessageId(deadline: Deadline): string {
  return `${deadline.taskId}:${deadline.command}`;
}

/** The deadline in a message, or a reason why it is none (the message is then dead-lettered). */
export function parseDeadline(data: Uint8Array): Deadline | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch {
    return 'not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const { taskId, command, dueAt } = value as Record<string, unknown>;
  if (typeof taskId !== 'string' || taskId === '') return 'taskId: must be a non-empty string';
  if (typeof command !== 'string' || !(SYSTEM_COMMAND_NAMES as readonly string[]).includes(command)) return `command: must be one of ${SYSTEM_COMMAND_NAMES.join(', ')}`;
  if (typeof dueAt !== 'string' || Number.isNaN(Date.parse(dueAt))) return 'dueAt: must be an ISO 8601 time';
  return { taskId, command: command as SystemCommandName, dueAt };
}
