// Reads of the task read model. Keyset pagination over (created_at DESC, id DESC), which the
// indexes of the migration serve with or without a leading status / created_by filter.

import type { DataSource, SelectQueryBuilder } from 'typeorm';
import { inScope, type TaskScope } from '@vle/auth';
import { SubTaskEntity, TaskEntity } from '../db/entities/index.js';
import { encodeCursor } from './cursor.js';
import type { FilterNode } from './filter/filter.js';
import { filterSql } from './filter/filter-sql.js';
import type { TaskListQuery } from './task-list.query.js';
import { toSubTaskView, toTaskView, type ChildrenSummary, type TaskDetailView, type TaskPage } from './task.views.js';

const CURSOR_TIME = `to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * What a caller may see (README, "Identity and permissions"): its token's scope, applied in SQL so
 * that a list never holds a Task outside it, and SubTasks only with sub_tasks_read.
 */
export interface Visibility {
  readonly subject: string;
  readonly scope: TaskScope;
  readonly subTasks: boolean;
}

/**
 * The Tasks `tasks t` a caller may see that satisfy a filter: the base of every read of a list (the
 * page, an export, the counts), so that each applies the scope and the filter alike.
 */
export function visibleTasks(db: DataSource, filter: FilterNode | undefined, visibility: Visibility): SelectQueryBuilder<TaskEntity> {
  const q = db.getRepository(TaskEntity).createQueryBuilder('t');
  if (visibility.scope.own) q.andWhere('t.created_by = :scopeSubject', { scopeSubject: visibility.subject });
  if (visibility.scope.events) q.andWhere('t.event_id = ANY(:scopeEvents)', { scopeEvents: [...visibility.scope.events] });
  if (filter) {
    const condition = filterSql(filter);
    q.andWhere(condition.sql, condition.params);
  }
  return q;
}

export class TaskQueries {
  constructor(private readonly db: DataSource) {}

  async list(query: TaskListQuery, visibility: Visibility): Promise<TaskPage> {
    const q = visibleTasks(this.db, query.filter, visibility).addSelect(CURSOR_TIME, 'cursor_time');
    if (query.after) {
      q.andWhere('(t.created_at, t.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))', { afterTime: query.after.createdAt, afterId: query.after.id });
    }
    q.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(query.limit + 1);
    const { entities, raw } = await q.getRawAndEntities<{ cursor_time: string }>();
    const page = entities.slice(0, query.limit);
    const last = page.at(-1);
    const more = entities.length > query.limit && last !== undefined;
    const children = await this.childrenOf(page.map((t) => t.id), visibility);
    return {
      items: page.map((t) => ({ ...toTaskView(t), children: children.get(t.id) ?? { total: 0, statuses: {} } })),
      nextCursor: more ? encodeCursor({ createdAt: raw[page.length - 1]!.cursor_time, id: last.id }) : null,
    };
  }

  /** The children of each Task, counted by status within the caller's scope (one statement). */
  async childrenOf(ids: readonly string[], visibility: Visibility): Promise<Map<string, ChildrenSummary>> {
    const summaries = new Map<string, ChildrenSummary>();
    if (ids.length === 0) return summaries;
    const rows = await visibleTasks(this.db, undefined, visibility)
      .select('t.origin_task_id', 'origin')
      .addSelect('t.status', 'status')
      .addSelect('count(*)::int', 'n')
      .andWhere('t.origin_task_id = ANY(:origins)', { origins: [...ids] })
      .groupBy('t.origin_task_id')
      .addGroupBy('t.status')
      .getRawMany<{ origin: string; status: string; n: number }>();
    for (const row of rows) {
      const summary = summaries.get(row.origin) ?? { total: 0, statuses: {} };
      summary.total += row.n;
      summary.statuses[row.status] = row.n;
      summaries.set(row.origin, summary);
    }
    return summaries;
  }

  /** The Task, or undefined when it does not exist for this caller (absent, or outside its scope). */
  async get(id: string, visibility: Visibility): Promise<TaskDetailView | undefined> {
    const task = await this.db.getRepository(TaskEntity).findOneBy({ id });
    if (!task || !inScope(visibility, task)) return undefined;
    const children = (await this.childrenOf([id], visibility)).get(id) ?? { total: 0, statuses: {} };
    if (!visibility.subTasks) return { ...toTaskView(task), children };
    const subtasks = await this.db.getRepository(SubTaskEntity).find({ where: { taskId: id }, order: { position: 'ASC' } });
    return { ...toTaskView(task), children, subtasks: subtasks.map(toSubTaskView) };
  }
}
