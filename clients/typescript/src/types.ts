// The API's answers and query parameters by name, from the types generated out of its OpenAPI
// description (generated/openapi.ts): nothing here is written by hand but the names.

import type { components, operations } from './generated/openapi.js';

type Schemas = components['schemas'];

export type ErrorReplyBody = Schemas['ErrorReplyBody'];
export type Violation = Schemas['Violation'];

export type TaskStatus = Schemas['TaskStatus'];
/** A Task as the list and the live stream show it. */
export type TaskView = Schemas['TaskView'];
/** A row of the list: the Task and a summary of the Tasks it started. */
export type TaskListItem = Schemas['TaskListItem'];
export type TaskPage = Schemas['TaskPage'];
/** A Task with its children and, with `sub_tasks_read`, its SubTasks. */
export type TaskDetailView = Schemas['TaskDetailView'];
export type SubTaskView = Schemas['SubTaskView'];
export type SubTaskDetailView = Schemas['SubTaskDetailView'];
export type ChildrenSummary = Schemas['ChildrenSummary'];
export type TaskHistory = Schemas['TaskHistory'];
export type HistoryEvent = Schemas['HistoryEvent'];
export type AttemptView = Schemas['AttemptView'];
export type AttemptOutcome = Schemas['AttemptOutcome'];

export type CreateTaskResult = Schemas['CreateTaskResult'];
export type TaskCommandResult = Schemas['TaskCommandResult'];

export type StatsView = Schemas['StatsView'];
export type StatsInterval = Schemas['StatsInterval'];
export type QueueBacklog = Schemas['QueueBacklog'];
export type FailureGroup = Schemas['FailureGroup'];

export type RetentionPreview = Schemas['RetentionPreview'];
export type RetentionRunResult = Schemas['RetentionRunResult'];

export type DeadLetterItem = Schemas['DeadLetterItem'];
export type DeadLetterPage = Schemas['DeadLetterPage'];
export type DeadLetterSummary = Schemas['DeadLetterSummary'];
export type DeadLetterPayload = Schemas['DeadLetterPayload'];

export type ProjectionStatus = Schemas['ProjectionStatus'];
export type PveNodesResponse = Schemas['PveNodesResponse'];
export type PveVmsResponse = Schemas['PveVmsResponse'];
export type PveVmView = Schemas['PveVmView'];
export type MeView = Schemas['MeView'];

type QueryOf<Id extends keyof operations> = NonNullable<operations[Id]['parameters']['query']>;

/**
 * The list's filters (`GET /api/v1/tasks`, also the live stream's and the export's). A list of
 * values (`status: ['failed', 'timed_out']`) is sent repeated: any of them.
 */
export type TaskFilters = Multi<Omit<QueryOf<'listTasks'>, 'limit' | 'cursor' | 'silent'>, 'status' | 'type' | 'queue' | 'responseCode'> & {
  /** Show the silent Tasks too (the scheduler's periodic Tasks that succeeded). */
  readonly silent?: boolean;
};
export type TaskListOptions = TaskFilters & Pick<QueryOf<'listTasks'>, 'limit' | 'cursor'>;
export type ExportOptions = TaskFilters & {
  readonly limit?: number;
  /** One row per SubTask (needs `sub_tasks_read`). */
  readonly subtasks?: boolean;
};
export type HistoryOptions = { readonly afterSeq?: number; readonly limit?: number };
export type StatsOptions = QueryOf<'getStats'>;
export type RetentionOptions = { readonly at?: string | Date };
export type DeadLetterFilters = Multi<Omit<QueryOf<'listDeadLetters'>, 'before' | 'limit'>, 'source'>;
export type DeadLetterListOptions = DeadLetterFilters & { readonly before?: number; readonly limit?: number };
export type ProxmoxVmFilters = Omit<QueryOf<'listProxmoxVms'>, 'template'> & { readonly template?: boolean };

type Multi<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]?: T[P] | readonly NonNullable<T[P]>[] };

/** The statuses a Task ends in: it changes no more, unless a person retries or skips a SubTask. */
export const FINISHED_STATUSES: readonly TaskStatus[] = ['success', 'warning', 'failed', 'cancelled', 'timed_out'];

export function isFinished(task: { readonly status: string }): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(task.status);
}
