// What the projector receives from the event stream and what it accepts as a commit. The log is
// trusted for meaning but not for shape: a message written by a bug or by hand must be skipped with
// its reason, never crash or stall the projection (DESIGN §7), so the shape is checked here, before
// evolve and before any value reaches a typed column.

import { TASK_EVENT_TYPES, type TaskEvent } from '@vle/domain';
import type { TraceCarrier } from '@vle/tracing';
import { isTimestamp } from '../time.js';

/** One message of TASK_EVENTS: a commit `{"events":[...]}` whose content is not trusted yet. */
export interface IncomingCommit {
  readonly seq: number;
  readonly subject: string;
  /** The decoded `events`; undefined when the message could not be decoded at all. */
  readonly events: unknown;
  /** Set when the event store already found the message malformed. */
  readonly malformed?: string;
  /** The queues whose jobs the appender left to the projection (Headers.jobsLeft; job-repair.ts). */
  readonly jobsLeft?: readonly string[];
  /** The trace context of the span that appended it: its apply's span links to that trace, and the jobs it left join it. */
  readonly trace?: TraceCarrier;
}

export interface AcceptedCommit {
  readonly ok: true;
  readonly seq: number;
  readonly subject: string;
  readonly taskId: string;
  readonly events: readonly TaskEvent[];
}

export interface RejectedCommit {
  readonly ok: false;
  readonly seq: number;
  readonly subject: string;
  readonly reason: string;
}

export type CheckedCommit = AcceptedCommit | RejectedCommit;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KNOWN_TYPES: ReadonlySet<string> = new Set(TASK_EVENT_TYPES);

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}


type Record_ = Record<string, unknown>;

function isObject(value: unknown): value is Record_ {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks one commit of the Task whose id is the last token of its subject. */
export function checkCommit(commit: IncomingCommit, taskIdOf: (subject: string) => string): CheckedCommit {
  const { seq, subject } = commit;
  const reject = (reason: string): RejectedCommit => ({ ok: false, seq, subject, reason });
  if (commit.malformed !== undefined) return reject(commit.malformed);
  const taskId = taskIdOf(subject);
  if (!isUuid(taskId)) return reject(`subject ${subject} does not end in a Task id (uuid)`);
  if (!Array.isArray(commit.events) || commit.events.length === 0) return reject('events must be a non-empty array');
  for (const [index, event] of commit.events.entries()) {
    const problem = problemOfEvent(event, taskId);
    if (problem) return reject(`events[${index}]: ${problem}`);
  }
  return { ok: true, seq, subject, taskId, events: commit.events as TaskEvent[] };
}

function problemOfEvent(event: unknown, taskId: string): string | undefined {
  if (!isObject(event)) return 'must be an object';
  if (typeof event.type !== 'string') return 'type must be a string';
  if (event.taskId !== taskId) return `taskId must be ${taskId} (the subject's Task)`;
  if (!isTimestamp(event.at)) return 'at must be an RFC 3339 timestamp';
  if (!isObject(event.data)) return 'data must be an object';
  if (event.onBehalfOf !== undefined && typeof event.onBehalfOf !== 'string') return 'onBehalfOf must be a string';
  // An event type of a newer version passes: evolve ignores what it does not know.
  if (!KNOWN_TYPES.has(event.type)) return undefined;
  if (event.type === 'TaskCreated') return problemOfCreated(event.data);
  if (event.type === 'SubTasksPlanned') return problemOfPart(event.data);
  for (const key of EVENT_INTEGERS) {
    if (event.data[key] !== undefined && !Number.isSafeInteger(event.data[key])) return `data.${key} must be an integer`;
  }
  for (const key of EVENT_TEXT) {
    if (event.data[key] !== undefined && typeof event.data[key] !== 'string') return `data.${key} must be a string`;
  }
  if (event.type === 'SubTaskAttemptFailed' && !isTimestamp(event.data.nextAttemptAt)) return 'data.nextAttemptAt must be an RFC 3339 timestamp';
  for (const key of EVENT_ID_LISTS) {
    const list = event.data[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((id) => typeof id === 'string'))) return `data.${key} must be an array of strings`;
  }
  if (event.type === 'TaskStartDeadlineMissed' && !isTimestamp(event.data.startBefore)) return 'data.startBefore must be an RFC 3339 timestamp';
  return undefined;
}

const EVENT_INTEGERS = ['generation', 'attempt', 'timeoutSeconds'] as const;
const EVENT_TEXT = ['subTaskId', 'jobId', 'responseCode', 'responseMessage', 'objectType', 'objectId', 'reason'] as const;
/** The SubTasks a deadline ended (TaskStartDeadlineMissed, TaskTimedOut). */
const EVENT_ID_LISTS = ['timedOutSubTaskIds', 'cancelledSubTaskIds'] as const;
const OPTIONAL_TEXT = ['type', 'eventId', 'objectType', 'objectId', 'originTaskId'] as const;
const OPTIONAL_TIME = ['startAt', 'startBefore'] as const;

/** A part of a Task created in parts: its index and its SubTasks, checked like TaskCreated's. */
function problemOfPart(data: Record_): string | undefined {
  if (!Number.isSafeInteger(data.part) || (data.part as number) < 1) return 'data.part must be an integer from 1';
  return problemOfSubTasks(data.subtasks);
}

function problemOfCreated(data: Record_): string | undefined {
  if (typeof data.name !== 'string') return 'data.name must be a string';
  if (typeof data.createdBy !== 'string') return 'data.createdBy must be a string';
  for (const key of OPTIONAL_TEXT) {
    if (data[key] !== undefined && typeof data[key] !== 'string') return `data.${key} must be a string`;
  }
  for (const key of OPTIONAL_TIME) {
    if (data[key] !== undefined && !isTimestamp(data[key])) return `data.${key} must be an RFC 3339 timestamp`;
  }
  if (data.timeoutSeconds !== undefined && !Number.isSafeInteger(data.timeoutSeconds)) return 'data.timeoutSeconds must be an integer';
  if (data.subtaskCount !== undefined && !Number.isSafeInteger(data.subtaskCount)) return 'data.subtaskCount must be an integer';
  if (data.planBefore !== undefined && !isTimestamp(data.planBefore)) return 'data.planBefore must be an RFC 3339 timestamp';
  return problemOfSubTasks(data.subtasks);
}

function problemOfSubTasks(subtasks: unknown): string | undefined {
  if (!Array.isArray(subtasks)) return 'data.subtasks must be an array';
  const ids = new Set<string>();
  for (const [index, subTask] of subtasks.entries()) {
    const problem = problemOfPlanned(subTask);
    if (problem) return `data.subtasks[${index}]${problem}`;
    const id = (subTask as { id: string }).id;
    if (ids.has(id)) return `data.subtasks[${index}].id: ${id} appears twice`;
    ids.add(id);
  }
  return undefined;
}

function problemOfPlanned(subTask: unknown): string | undefined {
  if (!isObject(subTask)) return ': must be an object';
  for (const key of ['id', 'key', 'name', 'action', 'queue'] as const) {
    if (typeof subTask[key] !== 'string') return `.${key} must be a string`;
  }
  if (!isObject(subTask.params)) return '.params must be an object';
  if (!Array.isArray(subTask.dependsOn) || !subTask.dependsOn.every((d) => typeof d === 'string')) return '.dependsOn must be an array of strings';
  if (typeof subTask.bestEffort !== 'boolean') return '.bestEffort must be a boolean';
  if (subTask.timeoutSeconds !== undefined && !Number.isSafeInteger(subTask.timeoutSeconds)) return '.timeoutSeconds must be an integer';
  return undefined;
}
