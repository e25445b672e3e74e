import { Controller, Get, NotFoundException, Param, Query, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Principal } from '@vle/auth';
import { Caller, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from '../contract-error.filter.js';
import { QueryFailedFilter } from '../query-failed.filter.js';
import { taskHistory } from '../task-history.js';
import { MAX_HISTORY_LIMIT, parseNoQuery } from '../task-history.query.js';
import { parseTaskId } from '../task-list.query.js';
import { TaskLog } from '../task-log.js';
import { TaskQueries } from '../task.queries.js';
import { visibilityOfCaller } from '../visibility.js';
import { renderTaskReport } from './task-report.html.js';

/** What the page may do: show itself with its own inline style, and nothing else (no script, no fetch, no image). */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** One Task with its SubTasks and history as a self-contained HTML page (README, "Export and stats"). */
@Controller('api/v1/tasks/:id')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class TaskReportController {
  constructor(
    private readonly queries: TaskQueries,
    private readonly log: TaskLog,
  ) {}

  @Get('report.html')
  @RequirePermission('tasks_read')
  async report(@Param('id') id: string, @Query() query: Record<string, unknown>, @Caller() caller: Principal, @Res() response: ServerResponse): Promise<void> {
    const taskId = parseTaskId(id);
    parseNoQuery(query);
    const visibility = visibilityOfCaller(caller);
    // The same read, scope and 404 as GET /api/v1/tasks/:id.
    const task = await this.queries.get(taskId, visibility);
    if (!task) throw new NotFoundException({ code: 'TASK_NOT_FOUND', message: `task ${taskId} does not exist (or is not projected yet)` });
    const { commits } = await this.log.load(taskId);
    const history = taskHistory(taskId, commits, { subTasks: visibility.subTasks, afterSeq: 0, limit: MAX_HISTORY_LIMIT });
    const page = Buffer.from(renderTaskReport({ task, history, generatedAt: new Date().toISOString() }), 'utf8');
    response.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(page.length),
      'Content-Security-Policy': REPORT_CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    response.end(page);
  }
}
