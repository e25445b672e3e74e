import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { AuthError, can, type Principal } from '@vle/auth';
import { Caller, httpRefusal, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from './contract-error.filter.js';
import { leavesOf, type FilterNode } from './filter/filter.js';
import { readsSubTasks } from './filter/fields.js';
import { QueryFailedFilter } from './query-failed.filter.js';
import { visibilityOfCaller } from './visibility.js';
import { parseTaskId, parseTaskListQuery } from './task-list.query.js';
import { TaskQueries } from './task.queries.js';
import type { TaskDetailView, TaskPage } from './task.views.js';

@Controller('api/v1/tasks')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class TasksController {
  constructor(private readonly queries: TaskQueries) {}

  @Get()
  @RequirePermission('tasks_read')
  list(@Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<TaskPage> {
    const request = parseTaskListQuery(query);
    assertMayFilter(request.filter, caller);
    return this.queries.list(request, visibilityOfCaller(caller));
  }

  @Get(':id')
  @RequirePermission('tasks_read')
  async get(@Param('id') id: string, @Caller() caller: Principal): Promise<TaskDetailView> {
    const task = await this.queries.get(parseTaskId(id), visibilityOfCaller(caller));
    if (!task) throw new NotFoundException({ code: 'TASK_NOT_FOUND', message: `task ${id} does not exist (or is not projected yet)` });
    return task;
  }
}

/** A filter on SubTask fields reads SubTasks: it needs sub_tasks_read as their detail does. */
export function assertMayFilter(filter: FilterNode | undefined, caller: Principal): void {
  if (filter === undefined || can(caller, 'sub_tasks_read')) return;
  const field = leavesOf(filter).find((l) => readsSubTasks(l.field))?.field;
  if (field !== undefined) throw httpRefusal(AuthError.missing('sub_tasks_read', `to filter on the SubTask field ${field}`));
}

