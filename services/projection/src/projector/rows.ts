// The rows of a folded Task, in the column names of the migration (snake_case), ready for
// jsonb_to_recordset. The read model stores what the folded state says: status and progress come
// from evolve, never recomputed here.
//
// The folded state itself is stored in two parts, so that a batch writes only what changed: the
// Task's own fields in task_states, each SubTask in its row, whose columns hold every field of it
// (sql.ts subTaskStateOfRow reads it back). A Task's state is task_states.state with `subtasks` = the
// SubTasks of its rows in position order (loadedState).

import { redactSecrets, subTaskTally, type SubTask, type Task } from '@vle/domain';

export interface TaskRow {
  id: string;
  name: string;
  type: string | null;
  status: string;
  status_reason: string | null;
  progress: number;
  created_by: string;
  event_id: string | null;
  object_type: string | null;
  object_id: string | null;
  origin_task_id: string | null;
  start_at: string | null;
  start_before: string | null;
  timeout_seconds: number | null;
  started_at: string | null;
  finished_at: string | null;
  cancel_requested: boolean;
  manual_intervention: boolean;
  pinned: boolean;
  subtasks_total: number;
  subtasks_finished: number;
  subtasks_failed: number;
  created_at: string;
  updated_at: string;
  version: number;
  last_seq: number;
}

export interface SubTaskRow {
  task_id: string;
  id: string;
  position: number;
  key: string;
  name: string;
  action: string;
  queue: string;
  status: string;
  generation: number;
  attempt: number;
  failed_attempts: number;
  executions: number;
  job_id: string | null;
  object_type: string | null;
  object_id: string | null;
  params: unknown;
  depends_on: readonly string[];
  best_effort: boolean;
  timeout_seconds: number | null;
  response_code: string | null;
  response_message: string | null;
  next_attempt_at: string | null;
  queued_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  created_at: string;
  updated_at: string;
  // Not shown; with the columns above, what the projector resumes from.
  job_seq: number | null;
  delivery_id: string | null;
  reserved_by: string | null;
}

/** task_states: the folded Task without its SubTasks (they are in their sub_tasks rows). */
export interface StateRow {
  task_id: string;
  state: TaskOwnState;
  last_seq: number;
}

export type TaskOwnState = Omit<Task, 'subtasks'>;

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

export function toTaskRow(task: Task, lastSeq: number): TaskRow {
  // Counted as the fold goes (the domain's index), not by walking a Task of 10,000 SubTasks per batch.
  const tally = subTaskTally(task);
  return {
    id: task.id,
    name: task.name,
    type: orNull(task.type),
    status: task.status,
    status_reason: orNull(task.endReason),
    progress: task.progress,
    created_by: task.createdBy,
    event_id: orNull(task.eventId),
    object_type: orNull(task.objectType),
    object_id: orNull(task.objectId),
    origin_task_id: orNull(task.originTaskId),
    start_at: orNull(task.startAt),
    start_before: orNull(task.startBefore),
    timeout_seconds: orNull(task.timeoutSeconds),
    started_at: orNull(task.startedAt),
    finished_at: orNull(task.finishedAt),
    cancel_requested: task.cancelRequested,
    manual_intervention: task.manualIntervention,
    pinned: task.pinned === true,
    // A Task still being planned in parts counts the SubTasks it will have.
    subtasks_total: task.planning?.total ?? task.subtasks.length,
    subtasks_finished: tally.finished,
    subtasks_failed: tally.failed,
    created_at: task.createdAt,
    updated_at: task.updatedAt,
    version: task.version,
    last_seq: lastSeq,
  };
}

export function toSubTaskRow(task: Task, subTask: SubTask, position: number): SubTaskRow {
  return {
    task_id: task.id,
    id: subTask.id,
    position,
    key: subTask.key,
    name: subTask.name,
    action: subTask.action,
    queue: subTask.queue,
    status: subTask.status,
    generation: subTask.generation,
    attempt: subTask.attempt,
    failed_attempts: subTask.failedAttempts,
    executions: subTask.executions ?? 0,
    job_id: orNull(subTask.jobId),
    object_type: orNull(subTask.objectType),
    object_id: orNull(subTask.objectId),
    // The domain redacts before the log; again here because the read model is shown to people.
    params: redactSecrets(subTask.params),
    depends_on: subTask.dependsOn,
    best_effort: subTask.bestEffort,
    timeout_seconds: orNull(subTask.timeoutSeconds),
    response_code: orNull(subTask.responseCode),
    response_message: orNull(subTask.responseMessage),
    next_attempt_at: orNull(subTask.nextAttemptAt),
    queued_at: orNull(subTask.queuedAt),
    started_at: orNull(subTask.startedAt),
    finished_at: orNull(subTask.finishedAt),
    created_at: task.createdAt,
    updated_at: subTask.updatedAt,
    job_seq: orNull(subTask.jobSeq),
    delivery_id: orNull(subTask.deliveryId),
    reserved_by: orNull(subTask.reservedBy),
  };
}

export function toStateRow(task: Task, lastSeq: number): StateRow {
  const { subtasks: _stored, ...own } = task;
  return { task_id: task.id, state: own, last_seq: lastSeq };
}

/** A Task's folded state from its two stored parts (toStateRow, the SubTasks of its rows in position order). */
export function loadedState(own: TaskOwnState, subtasks: readonly SubTask[]): Task {
  return { ...own, subtasks };
}

/**
 * The SubTask rows that changed between two states of one Task (all of them when `before` is absent).
 * Position is the creation order; SubTasks are never added or removed after TaskCreated. evolve
 * copies a SubTask only to change it and keeps the others as they are, so a new object is a change
 * (at worst an equal row written again, which is harmless).
 */
export function changedSubTaskRows(before: Task | undefined, after: Task): SubTaskRow[] {
  const rows: SubTaskRow[] = [];
  after.subtasks.forEach((subTask, position) => {
    if (before?.subtasks[position] !== subTask) rows.push(toSubTaskRow(after, subTask, position));
  });
  return rows;
}
