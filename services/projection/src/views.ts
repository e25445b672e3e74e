// The answers of the projection's routes, as types only: what its clients (the web UI in apps/web)
// import, so that a field renamed here fails their type check instead of their screens.

export type { ChildrenSummary, SubTaskView, TaskDetailView, TaskListItem, TaskPage, TaskView } from './query/task.views.js';
export type { SubTaskDetailView } from './query/sub-task-detail.view.js';
export type { AttemptOutcome, AttemptView } from './query/task-attempts.js';
export type { Change, ChangeSet, EventChanges, HistoryEvent, TaskHistory } from './query/task-history.js';
export type { StatsView } from './query/stats/stats.controller.js';
export type { QueueBacklog, StatsBucket, StatusCounts } from './query/stats/stats.queries.js';
export type { FailureGroup, FailureGroups } from './query/stats/failure-groups.js';
