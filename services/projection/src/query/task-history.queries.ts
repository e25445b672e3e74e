// The reads of the read model the history routes need: whether the caller may see the Task (the
// same scope rule as GET /api/v1/tasks/:id), and one SubTask's row without the Task's others.

import type { DataSource } from 'typeorm';
import { inScope, type ScopeHolder } from '@vle/auth';
import { SubTaskEntity, TaskEntity } from '../db/entities/index.js';

export class TaskHistoryQueries {
  constructor(private readonly db: DataSource) {}

  /** The Task, or undefined when it does not exist for this caller (absent, or outside its scope). */
  async task(id: string, caller: ScopeHolder): Promise<TaskEntity | undefined> {
    const task = await this.db.getRepository(TaskEntity).findOneBy({ id });
    return task && inScope(caller, task) ? task : undefined;
  }

  async subTask(taskId: string, id: string): Promise<SubTaskEntity | undefined> {
    return (await this.db.getRepository(SubTaskEntity).findOneBy({ taskId, id })) ?? undefined;
  }
}
