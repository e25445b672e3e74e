// What the UI reads: the projection's own answer types (type-only imports, erased from the build).

export type { AttemptView, FailureGroup, HistoryEvent, QueueBacklog, StatsView, SubTaskDetailView, SubTaskView, TaskDetailView, TaskHistory, TaskListItem, TaskPage, TaskView } from '@vle/projection/views';
export type { ErrorReplyBody, Violation } from '@vle/contracts';

/** GET /api/v1/me: who the token says the user is. */
export interface Me {
  readonly subject: string;
  readonly permissions: readonly string[];
  readonly scope: { readonly own?: true; readonly events?: readonly string[] };
  readonly expiresAt?: string;
}
