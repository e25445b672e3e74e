// The TypeScript types of the HTTP answers, by the names the API description gives their schemas
// (scripts/openapi.js turns them into JSON Schemas: the types are the one source of both).

export type { ErrorReplyBody } from '../../libs/contracts/src/errors.js';
export type { ReadinessReport } from '../../libs/service-kit/src/health.js';
export type { CreateTaskResult, TaskCommandResult } from '../../services/task-api/src/tasks/task-command.service.js';
export type { TaskDetailView, TaskPage, TaskView } from '../../services/projection/src/query/task.views.js';
export type { TaskHistory } from '../../services/projection/src/query/task-history.js';
export type { SubTaskDetailView } from '../../services/projection/src/query/sub-task-detail.view.js';
export type { StatsView } from '../../services/projection/src/query/stats/stats.controller.js';
export type { RetentionPreview, RetentionRunResult } from '../../services/projection/src/retention/retention.js';
export type { DeadLetterItem } from '../../services/projection/src/dead-letters/dead-letter-item.js';
export type { DeadLetterPage, DeadLetterSummary } from '../../services/projection/src/dead-letters/dead-letter-reader.js';
export type { PveNodesResponse, PveVmsResponse, PveVmView } from '../../services/projection/src/inventory/inventory.views.js';
export type { ProjectionStatus } from '../../services/projection/src/projector/projector.module.js';
export type { MeView } from '../../services/projection/src/identity/me.js';
