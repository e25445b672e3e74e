// The query string of GET /api/v1/tasks/export.csv: the list's filters and `q` exactly as the list
// reads them (parseTaskListQuery), plus `subtasks` and `limit` as the cap. An export has no pages, so
// `cursor` is refused rather than ignored: a client paging through it would get the same rows twice.

import { ContractError, type Violation } from '@vle/contracts';
import type { FilterNode } from '../filter/filter.js';
import { parseTaskListQuery } from '../task-list.query.js';

export interface TaskExportQuery {
  readonly filter?: FilterNode;
  /** The most data records the export holds; beyond them it says it was cut. */
  readonly maxRows: number;
  /** One record per SubTask (`subtasks=true`, needs sub_tasks_read). */
  readonly subTasks: boolean;
}

/** The request of a raw query object, or a ContractError listing every bad field (list filters included). */
export function parseTaskExportQuery(query: Record<string, unknown>, configuredMaxRows: number, now = Date.now()): TaskExportQuery {
  const violations: Violation[] = [];
  const { subtasks, limit, cursor, ...filters } = query;
  if (cursor !== undefined) violations.push({ field: 'cursor', message: 'an export is not paged: it holds every matching row up to limit' });
  const subTasks = booleanOf('subtasks', subtasks, violations);
  const maxRows = limitOf(limit, configuredMaxRows, violations);
  let filter: FilterNode | undefined;
  try {
    filter = parseTaskListQuery(filters, now).filter;
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    violations.push(...error.violations);
  }
  if (violations.length > 0) {
    const first = violations[0]!;
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    throw new ContractError('VALIDATION_FAILED', `invalid query: ${first.field}: ${first.message}${more}`, violations);
  }
  return { ...(filter === undefined ? {} : { filter }), maxRows, subTasks };
}

function booleanOf(field: string, value: unknown, violations: Violation[]): boolean {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  violations.push({ field, message: 'must be true or false, given once' });
  return false;
}

function limitOf(value: unknown, max: number, violations: Violation[]): number {
  if (value === undefined) return max;
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= 1 && n <= max) return n;
  violations.push({ field: 'limit', message: `must be an integer from 1 to ${max} (PROJECTION_EXPORT_MAX_ROWS), the most rows of the export` });
  return max;
}
