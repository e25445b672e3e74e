// Creating a Task, in one commit or, for one too large for a commit of the log (a TaskCreated of
// 10,000 SubTasks is some 2 MB; nats-server 2.9 has no atomic multi-message publish), in parts:
// TaskCreated carries the definition, the count and the first SubTasks; each SubTasksPlanned the
// next ones. The same CreateTask decides the next part every time it is handled, so the caller
// runs it again (each time under its own expected sequence) until the Task is no longer planning,
// and a create that stopped half way (a crash, a lost reply) is resumed by the same create retried
// or redelivered. Nothing is queued before the last part is in: its commit queues the first SubTasks.
//
// A plan nobody completes ends at its planning deadline (`planBefore`, PLANNING_WINDOW_MS after the
// creation): it stands in for the start deadline (`startBefore`) the creator did not give, so the
// scheduler's ExpireTaskStart ends the Task unstarted (timed_out, START_DEADLINE_MISSED). The last
// part takes it away again. A creator's own startBefore ends an abandoned plan the same way.

import type { CreateTask } from './commands.js';
import { commitBytes, jsonBytes } from './commit-size.js';
import { validateDag } from './dag.js';
import type { PlannedSubTask, SubTasksPlanned, TaskCreated, TaskEvent } from './events.js';
import { fact } from './fact.js';
import { MAX_QUEUED_BYTES_PER_COMMIT, withQueueing } from './queueing.js';
import { redactSecrets } from './redact.js';
import { RuleViolation } from './rule-violation.js';
import { exists, type Task, type TaskState } from './state.js';
import type { QueueName } from '@vle/contracts/queues';

/**
 * How long a Task created in parts has to get its last part in: longer than task-api's durable
 * intake keeps delivering a create it cannot handle (some 17 minutes), so that a create stopped by
 * an outage is completed by its redelivery rather than ended.
 */
export const PLANNING_WINDOW_MS = 30 * 60_000;

export function createTask(command: CreateTask, state: TaskState): TaskEvent[] {
  if (exists(state)) return continueCreating(command, state);
  validateDag(command.subtasks);
  if (command.startAt && command.startBefore && Date.parse(command.startBefore) <= Date.parse(command.startAt)) {
    throw new RuleViolation('INVALID_SCHEDULE', 'startBefore must be later than startAt', 'startBefore');
  }
  const { type: _command, taskId: _taskId, at: _at, actor: _actor, onBehalfOf: _onBehalfOf, taskType, subtasks: drafts, maxCommitBytes, ...definition } = command;
  const planned = plannedSubTasks(command);
  const total = drafts.length;
  const created = (subtasks: PlannedSubTask[], whole: boolean) =>
    fact<TaskCreated>(command, 'TaskCreated', whole ? { ...definition, type: taskType, subtasks } : { ...definition, type: taskType, subtasks, subtaskCount: total, planBefore: planBefore(command.at) });
  if (maxCommitBytes === undefined) return withQueueing(state, [created(Array.from({ length: total }, (_, i) => planned(i)), true)]);
  return nextCommit(state, 0, total, planned, (subtasks, last) => created(subtasks, last), maxCommitBytes);
}

/** The same create again: the next part of a Task still planning; nothing for one planned or ended. */
function continueCreating(command: CreateTask, task: Task): TaskEvent[] {
  const keyed = task.idempotencyKey !== undefined;
  // A Task without a key has an id of its own (not derived from the request): only the create that
  // made it names it, until it is planned.
  const same = keyed ? task.requestHash === command.requestHash : task.planning !== undefined && command.idempotencyKey === undefined;
  if (!same && keyed) {
    throw new RuleViolation('IDEMPOTENCY_KEY_REUSED', `idempotency key "${task.idempotencyKey}" was already used for Task ${task.id} with a different request`, 'idempotencyKey');
  }
  if (!same) throw new RuleViolation('TASK_EXISTS', `Task ${command.taskId} already exists`, 'taskId');
  const planning = task.planning;
  if (planning === undefined || task.cancelRequested || task.endReason !== undefined) return [];
  const from = task.subtasks.length;
  if (command.subtasks.length !== planning.total || command.subtasks[from - 1]?.id !== task.subtasks[from - 1]?.id) {
    throw new RuleViolation('TASK_EXISTS', `Task ${task.id} is being created with other SubTasks than this request plans`, 'subtasks');
  }
  const part = (subtasks: PlannedSubTask[]) => fact<SubTasksPlanned>(command, 'SubTasksPlanned', { part: planning.parts, subtasks });
  return nextCommit(task, from, planning.total, plannedSubTasks(command), part, command.maxCommitBytes ?? Number.POSITIVE_INFINITY);
}

/**
 * The commit planning SubTasks `from`.. : as many as fit in `maxBytes`, measured as they are
 * encoded. The last part's commit also queues the SubTasks that may run, so it is measured whole;
 * when those do not fit beside it, its last SubTask goes to a part of its own.
 */
function nextCommit(state: TaskState, from: number, total: number, planned: (i: number) => PlannedSubTask, event: (subtasks: PlannedSubTask[], last: boolean) => TaskEvent, maxBytes: number): TaskEvent[] {
  const part: PlannedSubTask[] = [];
  let bytes = commitBytes([event([], false)]);
  for (let i = from; i < total; i++) {
    const p = planned(i);
    const size = jsonBytes(p) + (part.length > 0 ? 1 : 0);
    // A part holds one SubTask at least: a creation's message (512 KiB at most) fits a commit.
    if (part.length > 0 && bytes + size > maxBytes) break;
    part.push(p);
    bytes += size;
  }
  const queuedBytes = Math.min(MAX_QUEUED_BYTES_PER_COMMIT, Math.floor(maxBytes / 4));
  for (;;) {
    const last = from + part.length === total;
    if (!last) return [event(part, false)];
    const events = withQueueing(state, [event(part, true)], queuedBytes);
    if (part.length <= 1 || commitBytes(events) <= maxBytes) return events;
    part.pop();
  }
}

/** The SubTasks as stored: dependencies by id, params redacted. */
function plannedSubTasks(command: CreateTask): (i: number) => PlannedSubTask {
  const idByKey = new Map(command.subtasks.map((d) => [d.key, d.id]));
  return (i) => {
    const d = command.subtasks[i]!;
    return {
      id: d.id,
      key: d.key,
      name: d.name,
      action: d.action,
      queue: d.queue as QueueName,
      objectType: d.objectType,
      objectId: d.objectId,
      params: redactSecrets(d.params ?? {}),
      dependsOn: (d.dependsOn ?? []).map((key) => idByKey.get(key)!),
      bestEffort: d.bestEffort ?? false,
      timeoutSeconds: d.timeoutSeconds,
    };
  };
}

function planBefore(at: string): string {
  return new Date(Date.parse(at) + PLANNING_WINDOW_MS).toISOString();
}
