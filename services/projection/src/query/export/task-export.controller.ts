import { Controller, Get, Inject, Logger, Query, Res, UseFilters } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import { AuthError, can, type Principal } from '@vle/auth';
import { Caller, httpRefusal, RequirePermission, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../../config.js';
import { QUERY_DB } from '../../db/read-model.module.js';
import { ContractErrorFilter } from '../contract-error.filter.js';
import { QueryFailedFilter } from '../query-failed.filter.js';
import { TaskQueries } from '../task.queries.js';
import { assertMayFilter } from '../tasks.controller.js';
import { visibilityOfCaller } from '../visibility.js';
import { endExport, responseSink } from './csv-response.js';
import { pipeCsv } from './csv-stream.js';
import { headerOf } from './task-export.columns.js';
import { parseTaskExportQuery } from './task-export.query.js';
import { exportRecords } from './task-export.rows.js';

/**
 * Any list as CSV (README, "Export and stats"): the list's filters and scope, streamed page by page,
 * capped at PROJECTION_EXPORT_MAX_ROWS. Registered before TasksController: its `:id` would take
 * `export.csv`.
 */
@Controller('api/v1/tasks')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class TaskExportController {
  private readonly logger = new Logger('TaskExportController');
  private readonly maxRows: number;

  constructor(
    private readonly queries: TaskQueries,
    @Inject(QUERY_DB) private readonly db: DataSource,
    @Inject(SERVICE_CONFIG) config: ProjectionConfig,
  ) {
    this.maxRows = config.PROJECTION_EXPORT_MAX_ROWS;
  }

  @Get('export.csv')
  @RequirePermission('tasks_read')
  async export(@Query() query: Record<string, unknown>, @Caller() caller: Principal, @Res() response: ServerResponse): Promise<void> {
    const request = parseTaskExportQuery(query, this.maxRows);
    assertMayFilter(request.filter, caller);
    if (request.subTasks && !can(caller, 'sub_tasks_read')) throw httpRefusal(AuthError.missing('sub_tasks_read', 'to export SubTasks (subtasks=true)'));
    const source = exportRecords(this.queries, this.db, { ...(request.filter ? { filter: request.filter } : {}), visibility: visibilityOfCaller(caller), subTasks: request.subTasks, maxRecords: request.maxRows + 1 });
    const sink = responseSink(response, {
      'Content-Type': 'text/csv; charset=utf-8; header=present',
      'Content-Disposition': `attachment; filename="${request.subTasks ? 'subtasks' : 'tasks'}-${new Date().toISOString().replace(/[-:]|\.\d+/g, '')}.csv"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Export-Max-Rows': String(request.maxRows),
    });
    try {
      const outcome = await pipeCsv(source, sink, { header: headerOf(request.subTasks), maxRows: request.maxRows });
      if (outcome.aborted) this.logger.log(`an export stopped after ${outcome.rows} rows: the client went away`);
      else endExport(response, outcome.truncated);
    } catch (error) {
      // Before the first record the filters answer (503 QUERY_TIMEOUT, ...); after it, only a cut
      // connection can tell the client that the file is incomplete.
      if (!response.headersSent) throw error;
      this.logger.warn(`an export failed after its first rows, its connection is cut: ${(error as Error).message}`);
      response.destroy();
    }
  }
}
