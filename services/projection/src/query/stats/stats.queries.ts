// The counts of GET /api/v1/stats, each a statement over visibleTasks, so that the caller's scope
// applies to everything counted. Tasks are counted by when they were created, failures by when the
// SubTask failed; the backlog is now. sub_tasks has no index on status (it would cost every status
// change its HOT update, README of the projection): the SubTask counts read the visible Tasks' rows.

import { TASK_STATUSES } from '@vle/domain';
import type { DataSource } from 'typeorm';
import { QUEUE_NAMES } from '@vle/contracts';
import { SubTaskEntity } from '../../db/entities/index.js';
import { and, leaf } from '../filter/filter.js';
import { visibleTasks, type Visibility } from '../task.queries.js';
import { groupFailures, type FailureGroups, type FailureRow } from './failure-groups.js';
import type { StatsInterval, StatsQuery } from './stats.query.js';

export const BACKLOG_STATUSES = ['blocked', 'queued', 'running', 'retrying'] as const;
export const MAX_FAILURE_GROUPS = 100;
export const MAX_RETRY_IDS = 100;

export type StatusCounts = Record<string, number>;

export interface StatsBucket {
  readonly start: string;
  readonly total: number;
  readonly byStatus: StatusCounts;
}

export type QueueBacklog = { readonly queue: string } & Record<(typeof BACKLOG_STATUSES)[number], number>;

const zeroCounts = (): StatusCounts => Object.fromEntries(TASK_STATUSES.map((s) => [s, 0]));
const STEP_MS: Record<StatsInterval, number> = { hour: 3_600_000, day: 86_400_000 };

export class StatsQueries {
  constructor(private readonly db: DataSource) {}

  private created(period: StatsQuery, visibility: Visibility) {
    return visibleTasks(this.db, and([leaf('created_at', 'ge', [period.from]), leaf('created_at', 'lt', [period.to])]), visibility);
  }

  /** Tasks created in the period by their status now. */
  async byStatus(period: StatsQuery, visibility: Visibility): Promise<{ total: number; byStatus: StatusCounts }> {
    const rows = await this.created(period, visibility).select('t.status', 'status').addSelect('count(*)::int', 'n').groupBy('t.status').getRawMany<{ status: string; n: number }>();
    const byStatus = zeroCounts();
    for (const r of rows) byStatus[r.status] = r.n;
    return { total: rows.reduce((n, r) => n + r.n, 0), byStatus };
  }

  /** The same per hour or day (UTC), every bucket of the period, empty ones too. */
  async buckets(period: StatsQuery & { interval: StatsInterval }, visibility: Visibility): Promise<StatsBucket[]> {
    const unit = period.interval === 'hour' ? 'hour' : 'day';
    const start = `to_char(date_trunc('${unit}', t.created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS".000Z"')`;
    const rows = await this.created(period, visibility).select(start, 'start').addSelect('t.status', 'status').addSelect('count(*)::int', 'n').groupBy(start).addGroupBy('t.status').getRawMany<{ start: string; status: string; n: number }>();
    const step = STEP_MS[period.interval];
    const buckets = new Map<string, { total: number; byStatus: StatusCounts }>();
    for (let at = Math.floor(period.from / step) * step; at < period.to; at += step) buckets.set(new Date(at).toISOString(), { total: 0, byStatus: zeroCounts() });
    for (const r of rows) {
      const bucket = buckets.get(r.start);
      if (!bucket) continue;
      bucket.byStatus[r.status] = r.n;
      bucket.total += r.n;
    }
    return [...buckets].map(([at, b]) => ({ start: at, ...b }));
  }

  /** SubTasks waiting or running now, per queue (every known queue, and any other that has some). */
  async backlog(visibility: Visibility): Promise<QueueBacklog[]> {
    const rows = await visibleTasks(this.db, undefined, visibility)
      .innerJoin(SubTaskEntity, 's', 's.task_id = t.id')
      .andWhere('s.status = ANY(:backlogStatuses)', { backlogStatuses: [...BACKLOG_STATUSES] })
      .select('s.queue', 'queue')
      .addSelect('s.status', 'status')
      .addSelect('count(*)::int', 'n')
      .groupBy('s.queue')
      .addGroupBy('s.status')
      .getRawMany<{ queue: string; status: (typeof BACKLOG_STATUSES)[number]; n: number }>();
    const queues = new Map<string, QueueBacklog>();
    const of = (queue: string) => queues.get(queue) ?? queues.set(queue, { queue, blocked: 0, queued: 0, running: 0, retrying: 0 }).get(queue)!;
    for (const queue of QUEUE_NAMES) of(queue);
    for (const r of rows) (of(r.queue) as Record<string, number>)[r.status] = r.n;
    return [...queues.values()];
  }

  /** SubTasks that failed in the period, grouped by queue, action, response code and message. */
  async failures(period: StatsQuery, visibility: Visibility): Promise<FailureGroups> {
    const group = 's.queue, s.action, s.response_code, s.response_message';
    const inner = visibleTasks(this.db, undefined, visibility)
      .innerJoin(SubTaskEntity, 's', 's.task_id = t.id')
      .andWhere(`s.status = 'failed'`)
      .andWhere('s.finished_at >= CAST(:failedFrom AS timestamptz) AND s.finished_at < CAST(:failedTo AS timestamptz)', { failedFrom: new Date(period.from).toISOString(), failedTo: new Date(period.to).toISOString() })
      .select('s.queue', 'queue')
      .addSelect('s.action', 'action')
      .addSelect('s.response_code', 'response_code')
      .addSelect('s.response_message', 'response_message')
      .addSelect('s.task_id', 'task_id')
      .addSelect('s.id', 'sub_task_id')
      .addSelect(`count(*) OVER (PARTITION BY ${group})`, 'group_count')
      .addSelect(`row_number() OVER (PARTITION BY ${group} ORDER BY s.finished_at DESC, s.task_id, s.id)`, 'n');
    const [sql, params] = inner.getQueryAndParameters();
    const rows: { queue: string; action: string; response_code: string | null; response_message: string | null; task_id: string; sub_task_id: string; group_count: string }[] = await this.db.query(
      `SELECT queue, action, response_code, response_message, task_id, sub_task_id, group_count FROM (${sql}) failed WHERE n <= ${MAX_RETRY_IDS} ORDER BY group_count DESC, n`,
      params,
    );
    const failures: FailureRow[] = rows.map((r) => ({ queue: r.queue, action: r.action, responseCode: r.response_code, responseMessage: r.response_message, taskId: r.task_id, subTaskId: r.sub_task_id, groupCount: Number(r.group_count) }));
    return groupFailures(failures, { maxGroups: MAX_FAILURE_GROUPS, maxIds: MAX_RETRY_IDS });
  }
}
