// The columns of the CSV export: the seed's Task columns first (ID, Name, Status, Created at, Created
// by, Event, Updated at), then the rest of the Task, then, with `subtasks=true`, the SubTask's. Times
// are ISO 8601 UTC as the JSON API gives them; absent values are empty cells.

import type { SubTaskEntity } from '../../db/entities/index.js';
import type { TaskView } from '../task.views.js';
import type { CsvValue } from './csv.js';

/** The SubTask fields an export reads: not params (JSON, and what the detail route is for). */
export type ExportSubTask = Pick<SubTaskEntity, 'taskId' | 'id' | 'position' | 'name' | 'action' | 'queue' | 'status' | 'generation' | 'attempt' | 'objectType' | 'objectId' | 'responseCode' | 'responseMessage' | 'startedAt' | 'finishedAt'>;

interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => CsvValue;
}

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export const TASK_COLUMNS: readonly Column<TaskView>[] = [
  { header: 'ID', value: (t) => t.id },
  { header: 'Name', value: (t) => t.name },
  { header: 'Status', value: (t) => t.status },
  { header: 'Created at', value: (t) => t.createdAt },
  { header: 'Created by', value: (t) => t.createdBy },
  { header: 'Event', value: (t) => t.eventId },
  { header: 'Updated at', value: (t) => t.updatedAt },
  { header: 'Type', value: (t) => t.type },
  { header: 'Progress', value: (t) => t.progress },
  { header: 'Object type', value: (t) => t.objectType },
  { header: 'Object ID', value: (t) => t.objectId },
  { header: 'Origin task', value: (t) => t.originTaskId },
  { header: 'Started at', value: (t) => t.startedAt },
  { header: 'Finished at', value: (t) => t.finishedAt },
];

export const SUBTASK_COLUMNS: readonly Column<ExportSubTask>[] = [
  { header: 'SubTask ID', value: (s) => s.id },
  { header: 'SubTask name', value: (s) => s.name },
  { header: 'SubTask action', value: (s) => s.action },
  { header: 'SubTask queue', value: (s) => s.queue },
  { header: 'SubTask status', value: (s) => s.status },
  { header: 'SubTask generation', value: (s) => s.generation },
  { header: 'SubTask attempt', value: (s) => s.attempt },
  { header: 'SubTask object type', value: (s) => s.objectType },
  { header: 'SubTask object ID', value: (s) => s.objectId },
  { header: 'Response code', value: (s) => s.responseCode },
  { header: 'Response message', value: (s) => s.responseMessage },
  { header: 'SubTask started at', value: (s) => iso(s.startedAt) },
  { header: 'SubTask finished at', value: (s) => iso(s.finishedAt) },
];

export function headerOf(subTasks: boolean): string[] {
  return [...TASK_COLUMNS, ...(subTasks ? SUBTASK_COLUMNS : [])].map((c) => c.header);
}

export function taskRecord(task: TaskView): CsvValue[] {
  return TASK_COLUMNS.map((c) => c.value(task));
}

/** A SubTask's record: its Task's columns repeated, then its own (empty for a Task without SubTasks). */
export function subTaskRecord(task: TaskView, subTask: ExportSubTask | undefined): CsvValue[] {
  return [...taskRecord(task), ...SUBTASK_COLUMNS.map((c) => (subTask === undefined ? null : c.value(subTask)))];
}
