import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { can, type Principal } from '@vle/auth';
import { Caller, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from './contract-error.filter.js';
import { parseTaskId, parseTaskListQuery } from './task-list.query.js';
import { TaskQueries, type Visibility } from './task.queries.js';
import type { TaskDetailView, TaskPage } from './task.views.js';

@Controller('api/v1/tasks')
@UseFilters(ContractErrorFilter)
export class TasksController {
  constructor(private readonly queries: TaskQueries) {}

  @Get()
  @RequirePermission('tasks_read')
  list(@Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<TaskPage> {
    return this.queries.list(parseTaskListQuery(query), visibilityOf(caller));
  }

  @Get(':id')
  @RequirePermission('tasks_read')
  async get(@Param('id') id: string, @Caller() caller: Principal): Promise<TaskDetailView> {
    const task = await this.queries.get(parseTaskId(id), visibilityOf(caller));
    if (!task) throw new NotFoundException({ code: 'TASK_NOT_FOUND', message: `task ${id} does not exist (or is not projected yet)` });
    return task;
  }
}

function visibilityOf(caller: Principal): Visibility {
  return { subject: caller.subject, scope: caller.scope, subTasks: can(caller, 'sub_tasks_read') };
}
