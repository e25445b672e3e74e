import { describe, expect, it } from 'vitest';
import { ContractError } from '@vle/contracts';
import { DEFAULT_HISTORY_LIMIT, parseHistoryQuery, parseNoQuery, parseSubTaskId } from './task-history.query.js';

function violations(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ContractError) return error.toReply().violations!.map((v) => v.field);
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('the history query', () => {
  it('defaults to the first page of DEFAULT_HISTORY_LIMIT events', () => {
    expect(parseHistoryQuery({})).toEqual({ afterSeq: 0, limit: DEFAULT_HISTORY_LIMIT });
    expect(parseHistoryQuery({ afterSeq: '120', limit: '10000' })).toEqual({ afterSeq: 120, limit: 10_000 });
  });

  it.each([
    [{ limit: '0' }, ['limit']],
    [{ limit: '10001' }, ['limit']],
    [{ limit: '5.5' }, ['limit']],
    [{ afterSeq: '-1' }, ['afterSeq']],
    [{ afterSeq: ['1', '2'] }, ['afterSeq']],
    [{ afterSeq: '99999999999999999' }, ['afterSeq']],
    [{ cursor: 'x', limit: 'many' }, ['cursor', 'limit']],
  ])('names every bad field of %j', (query, fields) => {
    expect(violations(() => parseHistoryQuery(query))).toEqual(fields);
  });

  it('takes no parameter on the SubTask route, and a SubTask id of 1 to 200 characters', () => {
    expect(() => parseNoQuery({})).not.toThrow();
    expect(violations(() => parseNoQuery({ verbose: '1' }))).toEqual(['verbose']);
    expect(parseSubTaskId('st-a')).toBe('st-a');
    expect(violations(() => parseSubTaskId('x'.repeat(201)))).toEqual(['subTaskId']);
  });
});
