// Reads of the task read model. Keyset pagination over (created_at DESC, id DESC), which the
// indexes of the migration serve with or without a leading status / created_by filter.

import type { DataSource } from 'typeorm';
import { inScope, type TaskScope } from '@vle/auth';
import { SubTaskEntity, TaskEntity } from '../db/entities/index.js';
import { encodeCursor } from './cursor.js';
import type { TaskListFilter } from './task-list.query.js';
import { toSubTaskView, toTaskView, type TaskDetailView, type TaskPage } from './task.views.js';

const CURSOR_TIME = `to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** LIKE pattern for "contains `text`", with LIKE's wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * What a caller may see (README, "Identity and permissions"): its token's scope, applied in SQL so
 * that a list never holds a Task outside it, and SubTasks only with sub_tasks_read.
 */
export interface Visibility {
  readonly subject: string;
  readonly scope: TaskScope;
  readonly subTasks: boolean;
}

export class TaskQueries {
  constructor(private readonly db: DataSource) {}

  async list(filter: TaskListFilter, visibility: Visibility): Promise<TaskPage> {
    const q = this.db.getRepository(TaskEntity).createQueryBuilder('t').addSelect(CURSOR_TIME, 'cursor_time');
    if (visibility.scope.own) q.andWhere('t.created_by = :scopeSubject', { scopeSubject: visibility.subject });
    if (visibility.scope.events) q.andWhere('t.event_id = ANY(:scopeEvents)', { scopeEvents: [...visibility.scope.events] });
    if (filter.statuses) q.andWhere('t.status IN (:...statuses)', { statuses: filter.statuses });
    if (filter.createdBy !== undefined) q.andWhere('t.created_by = :createdBy', { createdBy: filter.createdBy });
    if (filter.from !== undefined) q.andWhere('t.created_at >= :from', { from: filter.from });
    if (filter.to !== undefined) q.andWhere('t.created_at < :to', { to: filter.to });
    if (filter.name !== undefined) q.andWhere(`t.name ILIKE :name ESCAPE '\\'`, { name: containsPattern(filter.name) });
    if (filter.objectType !== undefined) q.andWhere('t.object_type = :objectType', { objectType: filter.objectType });
    if (filter.objectId !== undefined) q.andWhere('t.object_id = :objectId', { objectId: filter.objectId });
    if (filter.eventId !== undefined) q.andWhere('t.event_id = :eventId', { eventId: filter.eventId });
    if (filter.originTaskId !== undefined) q.andWhere('t.origin_task_id = :originTaskId', { originTaskId: filter.originTaskId });
    if (filter.after) {
      q.andWhere('(t.created_at, t.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))', { afterTime: filter.after.createdAt, afterId: filter.after.id });
    }
    q.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').limit(filter.limit + 1);
    const { entities, raw } = await q.getRawAndEntities<{ cursor_time: string }>();
    const page = entities.slice(0, filter.limit);
    const last = page.at(-1);
    const more = entities.length > filter.limit && last !== undefined;
    return {
      items: page.map(toTaskView),
      nextCursor: more ? encodeCursor({ createdAt: raw[page.length - 1]!.cursor_time, id: last.id }) : null,
    };
  }

  /** The Task, or undefined when it does not exist for this caller (absent, or outside its scope). */
  async get(id: string, visibility: Visibility): Promise<TaskDetailView | undefined> {
    const task = await this.db.getRepository(TaskEntity).findOneBy({ id });
    if (!task || !inScope(visibility, task)) return undefined;
    if (!visibility.subTasks) return toTaskView(task);
    const subtasks = await this.db.getRepository(SubTaskEntity).find({ where: { taskId: id }, order: { position: 'ASC' } });
    return { ...toTaskView(task), subtasks: subtasks.map(toSubTaskView) };
  }
}
