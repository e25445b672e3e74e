// The fields a Task list can be filtered on: the allow-list of the search language and of the list's
// query parameters. Each says where its value lives (a column of `tasks`, or of any of the Task's
// `sub_tasks`), which operators apply, and how a value given as text is checked and normalised.

import { QUEUE_NAMES } from '@vle/contracts';
import { OBJECT_TYPES, SUB_TASK_STATUSES, TASK_STATUSES } from '@vle/domain';
import { isUuid } from '../../projector/commit.js';
import { isDateOrTime } from '../../time.js';
import type { SubTaskEntity, TaskEntity } from '../../db/entities/index.js';
import type { FilterValue, ObjectRef } from './filter.js';

/** A Task as the in-memory filter sees it (times in epoch milliseconds; null: no value). */
export interface FilterTask {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly type: string | null;
  readonly createdBy: string;
  readonly eventId: string | null;
  readonly originTaskId: string | null;
  readonly objectType: string | null;
  readonly objectId: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly subtasks: readonly FilterSubTask[];
}

export interface FilterSubTask {
  readonly queue: string;
  readonly action: string;
  readonly status: string;
  readonly responseCode: string | null;
  readonly responseMessage: string | null;
  readonly objectType: string | null;
  readonly objectId: string | null;
}

export type FieldKind = 'text' | 'enum' | 'uuid' | 'time' | 'object';

interface FieldBase<Row> {
  readonly aliases: readonly string[];
  readonly kind: FieldKind;
  /** The column, in `tasks` (alias t) or, for a SubTask field, in `sub_tasks` (alias s). */
  readonly column: string;
  readonly nullable: boolean;
  readonly values?: readonly string[];
  readonly read: (row: Row) => string | number | null;
  readonly description: string;
  /**
   * A time column's value truncated to the minute, indexed where the column itself is not (migration
   * UpdatedMinute): a lower bound on the field is given on it too, so that the index serves it.
   */
  readonly minuteColumn?: string;
}

export type FieldDef =
  | (FieldBase<FilterTask> & { readonly level: 'task' })
  | (FieldBase<FilterSubTask> & { readonly level: 'subtask' })
  | (FieldBase<FilterTask> & { readonly level: 'object' });

const task = (d: Omit<FieldBase<FilterTask>, 'aliases'> & { aliases?: readonly string[] }): FieldDef => ({ aliases: [], ...d, level: 'task' });
const subtask = (d: Omit<FieldBase<FilterSubTask>, 'aliases'> & { aliases?: readonly string[] }): FieldDef => ({ aliases: [], ...d, level: 'subtask' });

export const FIELDS = {
  id: task({ kind: 'uuid', column: 'id', nullable: false, read: (t) => t.id, description: 'the Task id' }),
  name: task({ kind: 'text', column: 'name', nullable: false, read: (t) => t.name, description: 'the Task name' }),
  status: task({ kind: 'enum', column: 'status', nullable: false, values: TASK_STATUSES, read: (t) => t.status, description: 'the Task status' }),
  type: task({ kind: 'text', column: 'type', nullable: true, read: (t) => t.type, description: 'the typed command the Task was created from (vm.clone, lab_event.deploy, ...)' }),
  user: task({ kind: 'text', aliases: ['created_by'], column: 'created_by', nullable: false, read: (t) => t.createdBy, description: 'who created the Task' }),
  event: task({ kind: 'text', aliases: ['event_id'], column: 'event_id', nullable: true, read: (t) => t.eventId, description: 'the lab event' }),
  origin: task({ kind: 'uuid', aliases: ['origin_task_id', 'parent'], column: 'origin_task_id', nullable: true, read: (t) => t.originTaskId, description: 'the Task that started this one' }),
  object_type: task({ kind: 'enum', column: 'object_type', nullable: true, values: OBJECT_TYPES, read: (t) => t.objectType, description: "the type of the Task's own object" }),
  object: { aliases: ['object_id'], kind: 'object', column: 'object_id', nullable: false, level: 'object', read: (t) => t.objectId, description: 'an object the Task or any of its SubTasks is about: an id (123) or type:id (vm:123)' },
  created_at: task({ kind: 'time', aliases: ['created'], column: 'created_at', nullable: false, read: (t) => t.createdAt, description: 'when the Task was created' }),
  updated_at: task({ kind: 'time', aliases: ['updated'], column: 'updated_at', minuteColumn: 'updated_minute', nullable: false, read: (t) => t.updatedAt, description: 'when the Task last changed' }),
  started_at: task({ kind: 'time', aliases: ['started'], column: 'started_at', nullable: true, read: (t) => t.startedAt, description: 'when its first SubTask started' }),
  finished_at: task({ kind: 'time', aliases: ['finished'], column: 'finished_at', nullable: true, read: (t) => t.finishedAt, description: 'when it ended' }),
  queue: subtask({ kind: 'enum', column: 'queue', nullable: false, values: QUEUE_NAMES, read: (s) => s.queue, description: 'the queue of any of its SubTasks' }),
  action: subtask({ kind: 'text', column: 'action', nullable: false, read: (s) => s.action, description: 'the action of any of its SubTasks' }),
  subtask_status: subtask({ kind: 'enum', column: 'status', nullable: false, values: SUB_TASK_STATUSES, read: (s) => s.status, description: 'the status of any of its SubTasks' }),
  response_code: subtask({ kind: 'text', aliases: ['code'], column: 'response_code', nullable: true, read: (s) => s.responseCode, description: 'the response code of any of its SubTasks' }),
  message: subtask({ kind: 'text', aliases: ['response_message'], column: 'response_message', nullable: true, read: (s) => s.responseMessage, description: 'the response message of any of its SubTasks' }),
} as const satisfies Record<string, FieldDef>;

export type FieldName = keyof typeof FIELDS;

export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

const BY_NAME = new Map<string, FieldName>(FIELD_NAMES.flatMap((name) => [[name, name] as const, ...FIELDS[name].aliases.map((a) => [a, name] as const)]));

/** The field a name or alias denotes (case-insensitive). */
export function fieldNamed(name: string): FieldName | undefined {
  return BY_NAME.get(name.toLowerCase());
}

export function fieldDef(name: FieldName): FieldDef {
  return FIELDS[name];
}

/** Whether a field reads SubTask rows: filtering on it needs `sub_tasks_read`. */
export function readsSubTasks(name: FieldName): boolean {
  return FIELDS[name].level === 'subtask';
}

export const MAX_VALUE_LENGTH = 200;

/** A time value: an instant, and how long it lasts (a day for a date, 1 ms for an instant). */
export interface TimeValue {
  readonly at: number;
  readonly span: number;
}

const DAY_MS = 86_400_000;
const UNIT_MS: Readonly<Record<string, number>> = {
  second: 1000, seconds: 1000, sec: 1000, secs: 1000, s: 1000,
  minute: 60_000, minutes: 60_000, min: 60_000, mins: 60_000, m: 60_000,
  hour: 3_600_000, hours: 3_600_000, h: 3_600_000,
  day: DAY_MS, days: DAY_MS, d: DAY_MS,
  week: 7 * DAY_MS, weeks: 7 * DAY_MS, w: 7 * DAY_MS,
};
const AGO = /^(\d{1,6})\s*([a-z]+)\s+ago$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/** PostgreSQL's timestamptz holds these years and more; a JavaScript Date must hold the value too. */
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const TIME_FORMS = '2026-11-22, 2026-11-22T10:00:00Z, now, today, yesterday, "2 hours ago" (seconds, minutes, hours, days, weeks)';

/** A time as the language writes it, relative ones against `now`; dates and days are UTC. */
export function parseTime(text: string, now: number): TimeValue | undefined {
  const lower = text.trim().toLowerCase();
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  if (lower === 'now') return { at: now, span: 1 };
  if (lower === 'today') return { at: today, span: DAY_MS };
  if (lower === 'yesterday') return { at: today - DAY_MS, span: DAY_MS };
  const ago = AGO.exec(lower);
  if (ago) {
    const unit = UNIT_MS[ago[2]!];
    return unit === undefined ? undefined : within({ at: now - Number(ago[1]) * unit, span: 1 });
  }
  if (!isDateOrTime(text)) return undefined;
  return within({ at: DATE_ONLY.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text), span: DATE_ONLY.test(text) ? DAY_MS : 1 });
}

/** Both ends of the value must be times PostgreSQL reads back (the end of 9999-12-31 is year 10000). */
function within(value: TimeValue): TimeValue | undefined {
  return Number.isFinite(value.at) && value.at >= MIN_MS && value.at + value.span <= MAX_MS ? value : undefined;
}

/** A value given as text for a field other than a time, checked: the value, or why it is not one. */
export function parseValue(name: FieldName, text: string): { value: FilterValue } | { problem: string } {
  const def = FIELDS[name];
  if (text.length > MAX_VALUE_LENGTH) return { problem: `a value of ${name} must be at most ${MAX_VALUE_LENGTH} characters` };
  switch (def.kind) {
    case 'enum': {
      const match = def.values!.find((v) => v === text) ?? def.values!.find((v) => v === text.toLowerCase());
      return match === undefined ? { problem: `${JSON.stringify(text)} is not a ${name} (one of ${def.values!.join(', ')})` } : { value: match };
    }
    case 'uuid':
      return isUuid(text) ? { value: text.toLowerCase() } : { problem: `${JSON.stringify(text)} is not a uuid, as ${name} is` };
    case 'object':
      return text === '' ? { problem: 'an object must not be empty' } : { value: objectRef(text) };
    default:
      return { value: text };
  }
}

/** `vm:123` is the VM 123; an id without a known type prefix is an id of any type. */
export function objectRef(text: string): ObjectRef {
  const colon = text.indexOf(':');
  const type = colon > 0 ? text.slice(0, colon) : '';
  return (OBJECT_TYPES as readonly string[]).includes(type) && colon < text.length - 1 ? { type, id: text.slice(colon + 1) } : { id: text };
}

/** The rows of a Task as the in-memory filter reads them. */
export function filterTaskOf(
  t: Pick<TaskEntity, 'id' | 'name' | 'status' | 'type' | 'createdBy' | 'eventId' | 'originTaskId' | 'objectType' | 'objectId' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt'>,
  subtasks: readonly Pick<SubTaskEntity, 'queue' | 'action' | 'status' | 'responseCode' | 'responseMessage' | 'objectType' | 'objectId'>[],
): FilterTask {
  const ms = (d: Date | null) => (d === null ? null : d.getTime());
  return {
    id: t.id,
    name: t.name,
    status: t.status,
    type: t.type,
    createdBy: t.createdBy,
    eventId: t.eventId,
    originTaskId: t.originTaskId,
    objectType: t.objectType,
    objectId: t.objectId,
    createdAt: t.createdAt.getTime(),
    updatedAt: t.updatedAt.getTime(),
    startedAt: ms(t.startedAt),
    finishedAt: ms(t.finishedAt),
    subtasks: subtasks.map((s) => ({ queue: s.queue, action: s.action, status: s.status, responseCode: s.responseCode, responseMessage: s.responseMessage, objectType: s.objectType, objectId: s.objectId })),
  };
}
