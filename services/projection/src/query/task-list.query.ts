// The query string of GET /api/v1/tasks, checked field by field: a bad filter gets a 400 naming the
// field (DESIGN §7), an unknown parameter too (a typo must not silently list everything).

import { ContractError, type Violation } from '@vle/contracts';
import { OBJECT_TYPES, TASK_STATUSES, type ObjectType, type TaskStatus } from '@vle/domain';
import { isUuid } from '../projector/commit.js';
import { isDateOrTime } from '../time.js';
import { decodeCursor, type CursorKey } from './cursor.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export interface TaskListFilter {
  readonly statuses?: readonly TaskStatus[];
  readonly createdBy?: string;
  /** created_at >= from */
  readonly from?: string;
  /** created_at < to */
  readonly to?: string;
  /** Case-insensitive substring of the name. */
  readonly name?: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  readonly eventId?: string;
  readonly originTaskId?: string;
  readonly limit: number;
  readonly after?: CursorKey;
}

type RawQuery = Record<string, unknown>;

const KNOWN = ['status', 'createdBy', 'from', 'to', 'name', 'objectType', 'objectId', 'eventId', 'originTaskId', 'limit', 'cursor'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

class Checker {
  readonly violations: Violation[] = [];

  constructor(private readonly query: RawQuery) {}

  fail(field: string, message: string): undefined {
    this.violations.push({ field, message });
    return undefined;
  }

  /** A parameter given at most once, non-empty, at most `maxLength` characters. */
  text(field: string, maxLength = 200): string | undefined {
    const value = this.query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.fail(field, 'must be given once, as a string');
    if (value.trim() === '') return this.fail(field, 'must not be empty');
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

/** The filter of a raw query object (Express' parsed query), or a ContractError listing every bad field. */
export function parseTaskListQuery(query: RawQuery): TaskListFilter {
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
  const filter: TaskListFilter = {
    statuses,
    createdBy: check.text('createdBy'),
    from: check.time('from'),
    to: check.time('to'),
    name: check.text('name'),
    objectType: objectType as ObjectType | undefined,
    objectId: check.text('objectId'),
    eventId: check.text('eventId', 64),
    originTaskId,
    limit: check.limit('limit'),
    after,
  };
  if (filter.from && filter.to && Date.parse(filter.from) >= Date.parse(filter.to)) check.fail('to', 'must be later than from');
  if (check.violations.length > 0) {
    const first = check.violations[0]!;
    const more = check.violations.length > 1 ? ` (and ${check.violations.length - 1} more)` : '';
    throw new ContractError('VALIDATION_FAILED', `invalid query: ${first.field}: ${first.message}${more}`, check.violations);
  }
  return filter;
}

/** The :id of GET /api/v1/tasks/:id. */
export function parseTaskId(id: string): string {
  if (!isUuid(id)) throw new ContractError('VALIDATION_FAILED', `invalid path: id: ${JSON.stringify(id)} is not a uuid`, [{ field: 'id', message: 'must be a uuid' }]);
  return id.toLowerCase();
}
