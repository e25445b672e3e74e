import { Controller, Get, Query, UseFilters } from '@nestjs/common';
import type { Principal } from '@vle/auth';
import { Caller, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from '../contract-error.filter.js';
import { QueryFailedFilter } from '../query-failed.filter.js';
import { visibilityOfCaller } from '../visibility.js';
import type { FailureGroups } from './failure-groups.js';
import { StatsQueries, type QueueBacklog, type StatsBucket, type StatusCounts } from './stats.queries.js';
import { parseStatsQuery, type StatsInterval } from './stats.query.js';

export interface StatsView {
  readonly from: string;
  readonly to: string;
  readonly interval: StatsInterval | null;
  /** Tasks created in the period, by their status now. */
  readonly tasks: { readonly total: number; readonly byStatus: StatusCounts };
  /** With `interval`: the same per hour or day (UTC). */
  readonly buckets?: StatsBucket[];
  /** With sub_tasks_read: SubTasks waiting or running now, per queue. */
  readonly backlog?: QueueBacklog[];
  /** With sub_tasks_read: SubTasks that failed in the period, grouped. */
  readonly failures?: FailureGroups;
}

/** Counts for a dashboard (README, "Export and stats"), within the caller's scope. */
@Controller('api/v1/stats')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class StatsController {
  constructor(private readonly queries: StatsQueries) {}

  @Get()
  @RequirePermission('tasks_read')
  async stats(@Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<StatsView> {
    const period = parseStatsQuery(query);
    const visibility = visibilityOfCaller(caller);
    const [tasks, buckets, backlog, failures] = await Promise.all([
      this.queries.byStatus(period, visibility),
      period.interval === undefined ? undefined : this.queries.buckets({ ...period, interval: period.interval }, visibility),
      visibility.subTasks ? this.queries.backlog(visibility) : undefined,
      visibility.subTasks ? this.queries.failures(period, visibility) : undefined,
    ]);
    return {
      from: new Date(period.from).toISOString(),
      to: new Date(period.to).toISOString(),
      interval: period.interval ?? null,
      tasks,
      ...(buckets === undefined ? {} : { buckets }),
      ...(backlog === undefined ? {} : { backlog }),
      ...(failures === undefined ? {} : { failures }),
    };
  }
}
