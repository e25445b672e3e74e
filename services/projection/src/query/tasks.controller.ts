import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { ContractErrorFilter } from './contract-error.filter.js';
import { parseTaskId, parseTaskListQuery } from './task-list.query.js';
import { TaskQueries } from './task.queries.js';
import type { TaskDetailView, TaskPage } from './task.views.js';

@Controller('api/v1/tasks')
@UseFilters(ContractErrorFilter)
export class TasksController {
  constructor(private readonly queries: TaskQueries) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<TaskPage> {
    return this.queries.list(parseTaskListQuery(query));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<TaskDetailView> {
    const task = await this.queries.get(parseTaskId(id));
    if (!task) throw new NotFoundException({ code: 'TASK_NOT_FOUND', message: `task ${id} does not exist (or is not projected yet)` });
    return task;
  }
}
