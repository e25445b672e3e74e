// The query string of GET /api/v1/tasks, checked field by field: a bad filter gets a 400 naming the
// field (DESIGN §7), an unknown parameter too (a typo must not silently list everything).

import { SERVICE_IDENTITIES } from '@vle/auth';
import { ContractError, QUEUE_NAMES, type Violation } from '@vle/contracts';
import { OBJECT_TYPES, TASK_STATUSES } from '@vle/domain';
import { isUuid } from '../projector/commit.js';
import { isDateOrTime } from '../time.js';
import { decodeCursor, type CursorKey } from './cursor.js';
import { and, leaf, not, type FilterNode } from './filter/filter.js';
import { MAX_QUERY_LENGTH, parseSearch, SearchSyntaxError } from './filter/search-parser.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

/** A list request: which Tasks (undefined: all the caller may see), how many, after which. */
export interface TaskListQuery {
  readonly filter?: FilterNode;
  readonly limit: number;
  readonly after?: CursorKey;
}

type RawQuery = Record<string, unknown>;

const KNOWN = ['q', 'silent', 'status', 'createdBy', 'from', 'to', 'updatedSince', 'name', 'type', 'objectType', 'objectId', 'eventId', 'originTaskId', 'queue', 'responseCode', 'limit', 'cursor'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

class Checker {
  readonly violations: Violation[] = [];

  constructor(private readonly query: RawQuery) {}

  fail(field: string, message: string): undefined {
    this.violations.push({ field, message });
    return undefined;
  }

  /** A parameter given at most once, non-empty, at most `maxLength` characters. */
  text(field: string, maxLength = 200, options: { emptyAllowed?: boolean } = {}): string | undefined {
    const value = this.query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(field, 'must be given once, as a string');
    if (value.trim() === '' && options.emptyAllowed !== true) return this.fail(field, 'must not be empty');
    if (value.length > maxLength) return this.fail(field, `must be at most ${maxLength} characters`);
    return value;
  }

  /** One value per parameter or comma-separated, all of `allowed`. */
  list<T extends string>(field: string, allowed: readonly T[]): T[] | undefined {
    const value = this.query[field];
    if (value === undefined) return undefined;
    const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    const bad = parts.find((p) => typeof p !== 'string' || !(allowed as readonly string[]).includes(p.trim()));
    if (bad !== undefined) return this.fail(field, `${JSON.stringify(bad)} is not one of ${allowed.join(', ')}`);
    return [...new Set(parts.map((p) => (p as string).trim() as T))];
  }

  /** Values given as repeated parameters or comma-separated, each non-empty. */
  texts(field: string, maxLength = 200): string[] | undefined {
    const value = this.query[field];
    if (value === undefined) return undefined;
    const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    if (parts.some((p) => typeof p !== 'string')) return this.fail(field, 'must be strings');
    const values = [...new Set((parts as string[]).map((p) => p.trim()))];
    if (values.some((v) => v === '')) return this.fail(field, 'must not hold an empty value');
    if (values.some((v) => v.length > maxLength)) return this.fail(field, `each value must be at most ${maxLength} characters`);
    return values;
  }

  time(field: string): string | undefined {
    const value = this.text(field, 40);
    if (value === undefined) return undefined;
    if (!isDateOrTime(value)) {
      return this.fail(field, 'must be a date (2026-11-22) or an ISO 8601 time with a zone (2026-11-22T10:00:00Z)');
    }
    // A bare date is midnight UTC.
    return DATE.test(value) ? `${value}T00:00:00Z` : value;
  }

  limit(field: string): number {
    const value = this.text(field, 10);
    if (value === undefined) return DEFAULT_LIMIT;
    const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) {
      this.fail(field, `must be an integer from 1 to ${MAX_LIMIT}`);
      return DEFAULT_LIMIT;
    }
    return n;
  }
}

/**
 * Silent Tasks: the periodic Tasks the scheduler creates (the node sync every minute, the daily
 * ones) that ran well. The list, its export and its live stream leave them out unless `silent=true`;
 * a periodic Task that did not succeed is shown like any other.
 */
export const NOT_SILENT: FilterNode = not(and([leaf('user', 'eq', [SERVICE_IDENTITIES.scheduler.subject]), leaf('status', 'eq', ['success'])])!);

/** `q`, the search language: its filter, or a violation naming the position. */
function searchOf(check: Checker, now: number): FilterNode | undefined {
  const text = check.text('q', MAX_QUERY_LENGTH, { emptyAllowed: true });
  if (text === undefined) return undefined;
  try {
    return parseSearch(text, now);
  } catch (error) {
    if (!(error instanceof SearchSyntaxError)) throw error;
    check.violations.push({ field: 'q', message: error.message, position: error.position });
    return undefined;
  }
}

/**
 * The request of a raw query object (Express' parsed query), or a ContractError listing every bad
 * field. The filters are joined by `and`; relative times of `q` are taken against `now` (epoch ms).
 */
export function parseTaskListQuery(query: RawQuery, now = Date.now()): TaskListQuery {
  const check = new Checker(query);
  for (const key of Object.keys(query)) {
    if (!(KNOWN as readonly string[]).includes(key)) check.fail(key, `is not a filter; use ${KNOWN.join(', ')}`);
  }
  const statuses = check.list('status', TASK_STATUSES);
  const objectType = check.text('objectType');
  if (objectType !== undefined && !(OBJECT_TYPES as readonly string[]).includes(objectType)) {
    check.fail('objectType', `${JSON.stringify(objectType)} is not one of ${OBJECT_TYPES.join(', ')}`);
  }
  const originTaskId = check.text('originTaskId', 36);
  if (originTaskId !== undefined && !isUuid(originTaskId)) check.fail('originTaskId', 'must be a uuid');
  const cursor = check.text('cursor', 200);
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && after === undefined) check.fail('cursor', 'is not a cursor returned by this API (use nextCursor as given)');
  const createdBy = check.text('createdBy');
  const from = check.time('from');
  const to = check.time('to');
  const updatedSince = check.time('updatedSince');
  const name = check.text('name');
  const types = check.texts('type');
  const objectId = check.text('objectId');
  const eventId = check.text('eventId', 64);
  const queues = check.list('queue', QUEUE_NAMES);
  const responseCodes = check.texts('responseCode');
  const limit = check.limit('limit');
  if (from && to && Date.parse(from) >= Date.parse(to)) check.fail('to', 'must be later than from');
  const search = searchOf(check, now);
  const silent = check.text('silent', 5);
  if (silent !== undefined && silent !== 'true' && silent !== 'false') check.fail('silent', 'must be true (show the silent Tasks too) or false');
  if (check.violations.length > 0) {
    const first = check.violations[0]!;
    const more = check.violations.length > 1 ? ` (and ${check.violations.length - 1} more)` : '';
    throw new ContractError('VALIDATION_FAILED', `invalid query: ${first.field}: ${first.message}${more}`, check.violations);
  }
  const ms = (time: string) => Date.parse(time);
  const filter = and(
    [
      statuses && leaf('status', 'in', statuses),
      createdBy !== undefined && leaf('user', 'eq', [createdBy]),
      from !== undefined && leaf('created_at', 'ge', [ms(from)]),
      to !== undefined && leaf('created_at', 'lt', [ms(to)]),
      updatedSince !== undefined && leaf('updated_at', 'ge', [ms(updatedSince)]),
      name !== undefined && leaf('name', 'contains', [name]),
      types && leaf('type', 'in', types),
      // With an id, the type narrows the object; alone, it is the Task's own object's type.
      objectId !== undefined ? leaf('object', 'in', [{ id: objectId, ...(objectType === undefined ? {} : { type: objectType }) }]) : objectType !== undefined && leaf('object_type', 'eq', [objectType]),
      eventId !== undefined && leaf('event', 'eq', [eventId]),
      originTaskId !== undefined && leaf('origin', 'eq', [originTaskId.toLowerCase()]),
      queues && leaf('queue', 'in', queues),
      responseCodes && leaf('response_code', 'in', responseCodes),
      search,
      silent !== 'true' && NOT_SILENT,
    ].filter((node): node is FilterNode => typeof node === 'object'),
  );
  return { ...(filter === undefined ? {} : { filter }), limit, ...(after === undefined ? {} : { after }) };
}

/** The :id of GET /api/v1/tasks/:id. */
export function parseTaskId(id: string): string {
  if (!isUuid(id)) throw new ContractError('VALIDATION_FAILED', `invalid path: id: ${JSON.stringify(id)} is not a uuid`, [{ field: 'id', message: 'must be a uuid' }]);
  return id.toLowerCase();
}
