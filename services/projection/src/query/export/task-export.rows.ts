// The records of an export, read in keyset pages: the list's own pages (TaskQueries.list, so the
// export holds exactly what paging through the list gives) and, with SubTasks, their rows in chunks
// of at most EXPORT_CHUNK. No statement reads more than a chunk, so each ends well within the
// statement timeout, and nothing holds a connection between two of them: a reader that stops (the
// client went away) leaves no cursor or transaction behind.

import type { DataSource } from 'typeorm';
import { SubTaskEntity } from '../../db/entities/index.js';
import { decodeCursor, type CursorKey } from '../cursor.js';
import type { FilterNode } from '../filter/filter.js';
import { MAX_LIMIT } from '../task-list.query.js';
import type { TaskQueries, Visibility } from '../task.queries.js';
import type { TaskView } from '../task.views.js';
import type { CsvValue } from './csv.js';
import { subTaskRecord, taskRecord, type ExportSubTask } from './task-export.columns.js';

/** SubTask rows read by one statement (and held in memory at once). */
export const EXPORT_CHUNK = 1000;

const SUBTASK_FIELDS: (keyof ExportSubTask)[] = ['taskId', 'id', 'position', 'name', 'action', 'queue', 'status', 'generation', 'attempt', 'objectType', 'objectId', 'responseCode', 'responseMessage', 'startedAt', 'finishedAt'];

export interface ExportSource {
  readonly filter?: FilterNode;
  readonly visibility: Visibility;
  readonly subTasks: boolean;
  /** Stop after this many records (the cap and one more, to tell whether the cap cut the export). */
  readonly maxRecords: number;
}

/** The records in the list's order, a chunk at a time; SubTasks in creation order within their Task. */
export async function* exportRecords(queries: TaskQueries, db: DataSource, source: ExportSource): AsyncGenerator<CsvValue[][]> {
  let left = source.maxRecords;
  let after: CursorKey | undefined;
  do {
    const page = await queries.list({ ...(source.filter === undefined ? {} : { filter: source.filter }), limit: Math.min(MAX_LIMIT, left), ...(after === undefined ? {} : { after }) }, source.visibility);
    if (!source.subTasks) {
      const records = page.items.slice(0, left).map(taskRecord);
      left -= records.length;
      if (records.length > 0) yield records;
    } else {
      for await (const records of subTaskRecords(db, page.items, left)) {
        left -= records.length;
        yield records;
      }
    }
    after = page.nextCursor === null ? undefined : decodeCursor(page.nextCursor);
  } while (after !== undefined && left > 0);
}

/** The SubTask records of a page of Tasks, at most `max`, in chunks of about EXPORT_CHUNK rows. */
async function* subTaskRecords(db: DataSource, tasks: readonly TaskView[], max: number): AsyncGenerator<CsvValue[][]> {
  let left = max;
  for (const batch of batchesOf(tasks)) {
    if (left <= 0) return;
    if (batch.length === 1 && batch[0]!.subtaskCounts.total > EXPORT_CHUNK) {
      // One big Task: its SubTasks by position, a chunk per statement.
      const task = batch[0]!;
      let position = -1;
      for (;;) {
        const rows = await db.getRepository(SubTaskEntity).createQueryBuilder('s').select(SUBTASK_FIELDS.map((f) => `s.${f}`)).where('s.task_id = :id AND s.position > :position', { id: task.id, position }).orderBy('s.position', 'ASC').limit(Math.min(EXPORT_CHUNK, left)).getMany();
        if (rows.length === 0) {
          if (position === -1) {
            yield [subTaskRecord(task, undefined)];
            left--;
          }
          break;
        }
        yield rows.map((s) => subTaskRecord(task, s));
        left -= rows.length;
        position = rows.at(-1)!.position;
        if (left <= 0 || rows.length < EXPORT_CHUNK) break;
      }
      continue;
    }
    const rows = await db.getRepository(SubTaskEntity).createQueryBuilder('s').select(SUBTASK_FIELDS.map((f) => `s.${f}`)).where('s.task_id = ANY(CAST(:ids AS uuid[]))', { ids: batch.map((t) => t.id) }).orderBy('s.task_id').addOrderBy('s.position', 'ASC').getMany();
    const byTask = new Map<string, ExportSubTask[]>();
    for (const s of rows) {
      const own = byTask.get(s.taskId);
      if (own) own.push(s);
      else byTask.set(s.taskId, [s]);
    }
    const records = batch.flatMap((task) => {
      const own = byTask.get(task.id) ?? [];
      return own.length === 0 ? [subTaskRecord(task, undefined)] : own.map((s) => subTaskRecord(task, s));
    });
    const kept = records.slice(0, left);
    left -= kept.length;
    yield kept;
  }
}

/** Consecutive Tasks whose SubTasks add up to at most EXPORT_CHUNK (a bigger Task alone). */
function batchesOf(tasks: readonly TaskView[]): TaskView[][] {
  const batches: TaskView[][] = [];
  let current: TaskView[] = [];
  let rows = 0;
  for (const task of tasks) {
    const size = Math.max(1, task.subtaskCounts.total);
    if (current.length > 0 && rows + size > EXPORT_CHUNK) {
      batches.push(current);
      current = [];
      rows = 0;
    }
    current.push(task);
    rows += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
