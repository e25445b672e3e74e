// The body of GET /api/v1/tasks/:id/subtasks/:subTaskId: the SubTask as the list's detail shows it,
// with its parent Task and every attempt it ran (from the log: its row keeps only the last one).

import type { SubTaskEntity, TaskEntity } from '../db/entities/index.js';
import type { AttemptView } from './task-attempts.js';
import { toSubTaskView, type SubTaskView } from './task.views.js';

export interface SubTaskDetailView extends SubTaskView {
  /** Who created the Task the SubTask belongs to. */
  createdBy: string;
  parentTask: { id: string; name: string; status: string; type: string | null; createdBy: string };
  /** Over all generations, in the order they started. */
  attempts: AttemptView[];
}

export function toSubTaskDetailView(subTask: SubTaskEntity, task: TaskEntity, attempts: AttemptView[]): SubTaskDetailView {
  return {
    ...toSubTaskView(subTask),
    createdBy: task.createdBy,
    parentTask: { id: task.id, name: task.name, status: task.status, type: task.type, createdBy: task.createdBy },
    attempts,
  };
}
