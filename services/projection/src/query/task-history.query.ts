// The query strings of the history routes, checked field by field like the list's (DESIGN §7): a bad
// value gets a 400 naming the field, an unknown parameter too.

import { ContractError, type Violation } from '@vle/contracts';

/** Events per page of a history; a Task of 10,000 SubTasks has some 30,000. */
export const DEFAULT_HISTORY_LIMIT = 1000;
export const MAX_HISTORY_LIMIT = 10_000;
/** The longest SubTask id the route takes (ids are uuids, or a creator's own short ones). */
const MAX_SUBTASK_ID_LENGTH = 200;

export interface HistoryQuery {
  /** Stream sequence after which the page starts (exclusive): a page's `nextAfterSeq`. */
  readonly afterSeq: number;
  readonly limit: number;
}

type RawQuery = Record<string, unknown>;

function integer(query: RawQuery, field: string, min: number, max: number, violations: Violation[]): number | undefined {
  const value = query[field];
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  violations.push({ field, message: typeof value === 'string' ? `must be an integer from ${min} to ${max}` : 'must be given once' });
  return undefined;
}

function unknown(query: RawQuery, known: readonly string[], violations: Violation[]): void {
  for (const key of Object.keys(query)) {
    if (!known.includes(key)) violations.push({ field: key, message: known.length > 0 ? `is not a parameter; use ${known.join(', ')}` : 'is not a parameter; this route takes none' });
  }
}

function fail(violations: readonly Violation[]): void {
  if (violations.length === 0) return;
  const first = violations[0]!;
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
  throw new ContractError('VALIDATION_FAILED', `invalid query: ${first.field}: ${first.message}${more}`, [...violations]);
}

/** `afterSeq` and `limit` of GET /api/v1/tasks/:id/history, or a ContractError naming each bad field. */
export function parseHistoryQuery(query: RawQuery): HistoryQuery {
  const violations: Violation[] = [];
  unknown(query, ['afterSeq', 'limit'], violations);
  const afterSeq = integer(query, 'afterSeq', 0, Number.MAX_SAFE_INTEGER, violations) ?? 0;
  const limit = integer(query, 'limit', 1, MAX_HISTORY_LIMIT, violations) ?? DEFAULT_HISTORY_LIMIT;
  fail(violations);
  return { afterSeq, limit };
}

/** GET /api/v1/tasks/:id/subtasks/:subTaskId takes no parameter. */
export function parseNoQuery(query: RawQuery): void {
  const violations: Violation[] = [];
  unknown(query, [], violations);
  fail(violations);
}

/** The :subTaskId of a path. */
export function parseSubTaskId(id: string): string {
  if (id.length === 0 || id.length > MAX_SUBTASK_ID_LENGTH) {
    throw new ContractError('VALIDATION_FAILED', `invalid path: subTaskId: must be 1 to ${MAX_SUBTASK_ID_LENGTH} characters`, [
      { field: 'subTaskId', message: `must be 1 to ${MAX_SUBTASK_ID_LENGTH} characters` },
    ]);
  }
  return id;
}
