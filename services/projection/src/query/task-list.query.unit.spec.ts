import { describe, expect, it } from 'vitest';
import { ContractError } from '@vle/contracts';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DEFAULT_LIMIT, NOT_SILENT, parseTaskId, parseTaskListQuery } from './task-list.query.js';

function violationsOf(query: Record<string, unknown>) {
  let thrown: unknown;
  try {
    parseTaskListQuery(query);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ContractError);
  return (thrown as ContractError).violations;
}

const ID = '0190a7e2-0000-7000-8000-000000000001';

describe('parseTaskListQuery', () => {
  it('defaults to the first page of 50, without the silent Tasks', () => {
    expect(parseTaskListQuery({})).toEqual({ limit: DEFAULT_LIMIT, filter: NOT_SILENT });
    expect(NOT_SILENT).toEqual({
      kind: 'not',
      item: { kind: 'and', items: [{ kind: 'leaf', field: 'user', op: 'eq', values: ['service:scheduler'] }, { kind: 'leaf', field: 'status', op: 'eq', values: ['success'] }] },
    });
  });

  it('shows the silent Tasks too with silent=true', () => {
    expect(parseTaskListQuery({ silent: 'true' })).toEqual({ limit: DEFAULT_LIMIT });
    expect(parseTaskListQuery({ silent: 'true', status: 'failed' }).filter).toEqual({ kind: 'leaf', field: 'status', op: 'in', values: ['failed'] });
    expect(parseTaskListQuery({ silent: 'false' })).toEqual({ limit: DEFAULT_LIMIT, filter: NOT_SILENT });
  });

  it('reads every filter', () => {
    const cursor = encodeCursor({ createdAt: '2026-11-22T10:00:00.123456Z', id: ID });
    expect(
      parseTaskListQuery({
        status: ['failed', 'running,warning'],
        createdBy: 'alice',
        from: '2026-11-01',
        to: '2026-11-22T12:00:00+01:00',
        name: 'Clone',
        objectType: 'vm',
        objectId: '101',
        eventId: '42',
        originTaskId: ID,
        limit: '500',
        cursor,
      }),
    ).toEqual({
      filter: {
        kind: 'and',
        items: [
          { kind: 'leaf', field: 'status', op: 'in', values: ['failed', 'running', 'warning'] },
          { kind: 'leaf', field: 'user', op: 'eq', values: ['alice'] },
          { kind: 'leaf', field: 'created_at', op: 'ge', values: [Date.parse('2026-11-01T00:00:00Z')] },
          { kind: 'leaf', field: 'created_at', op: 'lt', values: [Date.parse('2026-11-22T11:00:00Z')] },
          { kind: 'leaf', field: 'name', op: 'contains', values: ['Clone'] },
          { kind: 'leaf', field: 'object', op: 'in', values: [{ type: 'vm', id: '101' }] },
          { kind: 'leaf', field: 'event', op: 'eq', values: ['42'] },
          { kind: 'leaf', field: 'origin', op: 'eq', values: [ID] },
          NOT_SILENT,
        ],
      },
      limit: 500,
      after: { createdAt: '2026-11-22T10:00:00.123456Z', id: ID },
    });
  });

  it('reads the filters on changes, types, SubTasks and the search language, joined by and', () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    expect(
      parseTaskListQuery({ updatedSince: '2026-11-30', type: 'vm.clone,lab_event.deploy', queue: 'pve_vm_clone', responseCode: ['STORAGE_FULL', 'TIMEOUT'], q: 'created_at > "2 hours ago" or name ~ clone' }, now).filter,
    ).toEqual({
      kind: 'and',
      items: [
        { kind: 'leaf', field: 'updated_at', op: 'ge', values: [Date.parse('2026-11-30T00:00:00Z')] },
        { kind: 'leaf', field: 'type', op: 'in', values: ['vm.clone', 'lab_event.deploy'] },
        { kind: 'leaf', field: 'queue', op: 'in', values: ['pve_vm_clone'] },
        { kind: 'leaf', field: 'response_code', op: 'in', values: ['STORAGE_FULL', 'TIMEOUT'] },
        {
          kind: 'or',
          items: [
            { kind: 'leaf', field: 'created_at', op: 'gt', values: [now - 2 * 3_600_000] },
            { kind: 'leaf', field: 'name', op: 'contains', values: ['clone'] },
          ],
        },
        NOT_SILENT,
      ],
    });
  });

  it('takes an object type alone as the Task\'s own, and an empty search as no filter', () => {
    expect(parseTaskListQuery({ objectType: 'vm', silent: 'true' }).filter).toEqual({ kind: 'leaf', field: 'object_type', op: 'eq', values: ['vm'] });
    expect(parseTaskListQuery({ q: '  ' })).toEqual({ limit: DEFAULT_LIMIT, filter: NOT_SILENT });
  });

  it('refuses a search that is not in the language with the position of the problem', () => {
    expect(violationsOf({ q: 'status = done' })).toEqual([{ field: 'q', message: expect.stringContaining('"done" is not a status'), position: 9 }]);
  });

  it.each([
    [{ status: 'done' }, 'status', '"done" is not one of'],
    [{ status: '' }, 'status', 'is not one of'],
    [{ from: 'yesterday' }, 'from', 'must be a date'],
    [{ to: '2026-02-30T10:00:00' }, 'to', 'must be a date'],
    [{ from: '2026-02-30' }, 'from', 'must be a date'],
    [{ to: '2026-11-22T24:00:00Z' }, 'to', 'must be a date'],
    [{ from: '2026-11-22', to: '2026-11-21' }, 'to', 'later than from'],
    [{ limit: '0' }, 'limit', 'from 1 to 500'],
    [{ limit: '501' }, 'limit', 'from 1 to 500'],
    [{ limit: '1e2' }, 'limit', 'from 1 to 500'],
    [{ cursor: 'abc' }, 'cursor', 'not a cursor'],
    [{ cursor: encodeCursor({ createdAt: '2026-11-22T10:00:00Z', id: ID }) }, 'cursor', 'not a cursor'],
    [{ originTaskId: 'task-1' }, 'originTaskId', 'uuid'],
    [{ objectType: 'printer' }, 'objectType', 'is not one of'],
    [{ createdBy: ['a', 'b'] }, 'createdBy', 'given once'],
    [{ name: ' ' }, 'name', 'must not be empty'],
    [{ state: 'failed' }, 'state', 'is not a filter'],
    [{ updatedSince: 'yesterday' }, 'updatedSince', 'must be a date'],
    [{ queue: 'pve_vm_klone' }, 'queue', 'is not one of'],
    [{ responseCode: 'A,,B' }, 'responseCode', 'empty value'],
    [{ type: ['a', ''] }, 'type', 'empty value'],
    [{ q: ['a', 'b'] }, 'q', 'given once'],
    [{ silent: 'yes' }, 'silent', 'must be true'],
    [{ q: 'x'.repeat(1001) }, 'q', 'at most 1000 characters'],
  ])('refuses %j naming %s', (query, field, message) => {
    expect(violationsOf(query)).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('lists every bad field at once', () => {
    expect(violationsOf({ status: 'x', limit: 'y' }).map((v) => v.field)).toEqual(['status', 'limit']);
  });
});

describe('parseTaskId / cursors', () => {
  it('accepts a uuid, refuses anything else naming id', () => {
    expect(parseTaskId(ID.toUpperCase())).toBe(ID);
    expect(() => parseTaskId('42')).toThrow(/id: "42" is not a uuid/);
  });

  it('round-trips a cursor and refuses a tampered one', () => {
    const key = { createdAt: '2026-11-22T10:00:00.000001Z', id: ID };
    expect(decodeCursor(encodeCursor(key))).toEqual(key);
    expect(decodeCursor(Buffer.from('["x","y"]').toString('base64url'))).toBeUndefined();
    expect(decodeCursor('!!!')).toBeUndefined();
  });
});
