import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { can, type Principal } from '@vle/auth';
import { Caller, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from './contract-error.filter.js';
import { QueryFailedFilter } from './query-failed.filter.js';
import { toSubTaskDetailView, type SubTaskDetailView } from './sub-task-detail.view.js';
import { subTaskAttempts, taskHistory, type TaskHistory } from './task-history.js';
import { TaskHistoryQueries } from './task-history.queries.js';
import { parseHistoryQuery, parseNoQuery, parseSubTaskId } from './task-history.query.js';
import { parseTaskId } from './task-list.query.js';
import { TaskLog } from './task-log.js';

/** A Task's history and one SubTask with its attempts, read from the event log (README, "The history of a Task"). */
@Controller('api/v1/tasks/:id')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class TaskHistoryController {
  constructor(
    private readonly queries: TaskHistoryQueries,
    private readonly log: TaskLog,
  ) {}

  @Get('history')
  @RequirePermission('tasks_read')
  async history(@Param('id') id: string, @Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<TaskHistory> {
    const taskId = parseTaskId(id);
    const page = parseHistoryQuery(query);
    await this.visibleTask(taskId, caller);
    const { commits } = await this.log.load(taskId);
    if (commits.length === 0) throw taskNotFound(taskId);
    return taskHistory(taskId, commits, { ...page, subTasks: can(caller, 'sub_tasks_read') });
  }

  @Get('subtasks/:subTaskId')
  @RequirePermission('sub_tasks_read')
  async subTask(@Param('id') id: string, @Param('subTaskId') rawSubTaskId: string, @Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<SubTaskDetailView> {
    const taskId = parseTaskId(id);
    const subTaskId = parseSubTaskId(rawSubTaskId);
    parseNoQuery(query);
    const task = await this.visibleTask(taskId, caller);
    const subTask = await this.queries.subTask(taskId, subTaskId);
    if (!subTask) throw new NotFoundException({ code: 'SUBTASK_NOT_FOUND', message: `task ${taskId} has no subtask ${subTaskId} (or it is not projected yet)` });
    const { commits } = await this.log.load(taskId);
    return toSubTaskDetailView(subTask, task, subTaskAttempts(commits, subTaskId));
  }

  private async visibleTask(taskId: string, caller: Principal) {
    const task = await this.queries.task(taskId, caller);
    if (!task) throw taskNotFound(taskId);
    return task;
  }
}

function taskNotFound(taskId: string): NotFoundException {
  return new NotFoundException({ code: 'TASK_NOT_FOUND', message: `task ${taskId} does not exist (or is not projected yet)` });
}
