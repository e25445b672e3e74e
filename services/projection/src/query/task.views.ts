// The JSON bodies of the query API (camelCase; absent values are null, so every field is always there).

import type { SubTaskEntity, TaskEntity } from '../db/entities/index.js';

export interface SubTaskView {
  id: string;
  key: string;
  name: string;
  action: string;
  queue: string;
  status: string;
  generation: number;
  attempt: number;
  failedAttempts: number;
  /** Attempts started over all generations, a person's retry included: never goes back. */
  executions: number;
  jobId: string | null;
  objectType: string | null;
  objectId: string | null;
  params: unknown;
  dependsOn: string[];
  bestEffort: boolean;
  timeoutSeconds: number | null;
  responseCode: string | null;
  responseMessage: string | null;
  nextAttemptAt: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TaskView {
  id: string;
  name: string;
  type: string | null;
  status: string;
  /** Why a deadline ended the Task (START_DEADLINE_MISSED, TASK_TIMEOUT), or null. */
  statusReason: string | null;
  /** Finished SubTasks / all SubTasks, 0..1. */
  progress: number;
  createdBy: string;
  eventId: string | null;
  objectType: string | null;
  objectId: string | null;
  originTaskId: string | null;
  startAt: string | null;
  startBefore: string | null;
  timeoutSeconds: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  cancelRequested: boolean;
  manualIntervention: boolean;
  /** Kept by the retention however old it is (POST /api/v1/tasks/:id/pin). */
  pinned: boolean;
  subtaskCounts: { total: number; finished: number; failed: number };
  createdAt: string;
  updatedAt: string;
  /** Events folded into this view. */
  version: number;
  /** Stream sequence of the last commit folded in (compare with a command's reply for read-your-writes). */
  lastSeq: number;
}

/**
 * The Tasks this one started (origin_task_id), as far as the caller may see them, by status: a
 * deploy whose child failed must not look like a success.
 */
export interface ChildrenSummary {
  total: number;
  statuses: Partial<Record<string, number>>;
}

/** A row of the list: the Task and its children. */
export interface TaskListItem extends TaskView {
  children: ChildrenSummary;
}

export interface TaskDetailView extends TaskListItem {
  /** In creation order; absent for a caller without sub_tasks_read. */
  subtasks?: SubTaskView[];
}

export interface TaskPage {
  items: TaskListItem[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export function toTaskView(t: TaskEntity): TaskView {
  return {
    id: t.id,
    name: t.name,
    type: t.type,
    status: t.status,
    statusReason: t.statusReason,
    progress: t.progress,
    createdBy: t.createdBy,
    eventId: t.eventId,
    objectType: t.objectType,
    objectId: t.objectId,
    originTaskId: t.originTaskId,
    startAt: iso(t.startAt),
    startBefore: iso(t.startBefore),
    timeoutSeconds: t.timeoutSeconds,
    startedAt: iso(t.startedAt),
    finishedAt: iso(t.finishedAt),
    cancelRequested: t.cancelRequested,
    manualIntervention: t.manualIntervention,
    pinned: t.pinned,
    subtaskCounts: { total: t.subtasksTotal, finished: t.subtasksFinished, failed: t.subtasksFailed },
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    version: t.version,
    lastSeq: t.lastSeq,
  };
}

export function toSubTaskView(s: SubTaskEntity): SubTaskView {
  return {
    id: s.id,
    key: s.key,
    name: s.name,
    action: s.action,
    queue: s.queue,
    status: s.status,
    generation: s.generation,
    attempt: s.attempt,
    failedAttempts: s.failedAttempts,
    executions: s.executions,
    jobId: s.jobId,
    objectType: s.objectType,
    objectId: s.objectId,
    params: s.params,
    dependsOn: s.dependsOn,
    bestEffort: s.bestEffort,
    timeoutSeconds: s.timeoutSeconds,
    responseCode: s.responseCode,
    responseMessage: s.responseMessage,
    nextAttemptAt: iso(s.nextAttemptAt),
    queuedAt: iso(s.queuedAt),
    startedAt: iso(s.startedAt),
    finishedAt: iso(s.finishedAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}
