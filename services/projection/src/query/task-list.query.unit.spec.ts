import { describe, expect, it } from 'vitest';
import { ContractError } from '@vle/contracts';
import { decodeCursor, encodeCursor } from './cursor.js';
import { DEFAULT_LIMIT, parseTaskId, parseTaskListQuery } from './task-list.query.js';

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
  it('defaults to the first page of 50', () => {
    expect(parseTaskListQuery({})).toEqual({ limit: DEFAULT_LIMIT });
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
      statuses: ['failed', 'running', 'warning'],
      createdBy: 'alice',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-22T12:00:00+01:00',
      name: 'Clone',
      objectType: 'vm',
      objectId: '101',
      eventId: '42',
      originTaskId: ID,
      limit: 500,
      after: { createdAt: '2026-11-22T10:00:00.123456Z', id: ID },
    });
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
