import { describe, expect, it } from 'vitest';
import { ContractError } from '@vle/contracts';
import { NOT_SILENT } from '../task-list.query.js';
import { parseTaskExportQuery } from './task-export.query.js';

function violationsOf(query: Record<string, unknown>): string[] {
  try {
    parseTaskExportQuery(query, 1000);
  } catch (error) {
    if (error instanceof ContractError) return error.violations.map((v) => v.field);
    throw error;
  }
  return [];
}

describe('parseTaskExportQuery', () => {
  it('reads the list filters as the list does, the cap by default', () => {
    const q = parseTaskExportQuery({ status: 'failed', q: 'name ~ clone' }, 1000);
    expect(q.maxRows).toBe(1000);
    expect(q.subTasks).toBe(false);
    expect(q.filter).toMatchObject({ kind: 'and' });
  });

  it('takes limit as a lower cap and subtasks=true', () => {
    expect(parseTaskExportQuery({ limit: '10', subtasks: 'true' }, 1000)).toEqual({ maxRows: 10, subTasks: true, filter: NOT_SILENT });
    expect(parseTaskExportQuery({ limit: '10', silent: 'true' }, 1000)).toEqual({ maxRows: 10, subTasks: false });
  });

  it.each([
    [{ cursor: 'abc' }, ['cursor']],
    [{ limit: '1001' }, ['limit']],
    [{ limit: '0' }, ['limit']],
    [{ limit: 'all' }, ['limit']],
    [{ subtasks: 'yes' }, ['subtasks']],
    [{ subtasks: ['true', 'true'] }, ['subtasks']],
    [{ status: 'done', sort: 'name' }, ['sort', 'status']],
    [{ cursor: 'x', q: 'status = = ' }, ['cursor', 'q']],
  ])('refuses %j naming %j', (query, fields) => {
    expect(violationsOf(query).sort()).toEqual(fields);
  });
});
