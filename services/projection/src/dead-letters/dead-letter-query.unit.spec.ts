import { ContractError } from '@vle/contracts';
import { describe, expect, it } from 'vitest';
import { parseDeadLetterQuery, parseDeadLetterSeq, sourceMatches } from './dead-letter-query.js';

function violations(query: Record<string, unknown>): string[] {
  try {
    parseDeadLetterQuery(query);
  } catch (error) {
    if (error instanceof ContractError) return error.violations.map((v) => v.field);
    throw error;
  }
  return [];
}

function thrownBy(f: () => unknown): string | undefined {
  try {
    f();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

describe('the dead-letter query', () => {
  it('defaults to the newest 50 of every source', () => {
    expect(parseDeadLetterQuery({})).toEqual({ limit: 50 });
  });

  it('reads a page, its filters and its times', () => {
    expect(parseDeadLetterQuery({ before: '120', limit: '200', source: ['jobs.pve_vm_clone', 'commands'], code: 'MAX_DELIVERIES,VALIDATION_FAILED', since: '2026-11-22', until: '2026-11-23T10:00:00Z' })).toEqual({
      before: 120,
      limit: 200,
      sources: ['jobs.pve_vm_clone', 'commands'],
      codes: ['MAX_DELIVERIES', 'VALIDATION_FAILED'],
      since: new Date('2026-11-22T00:00:00Z'),
      until: new Date('2026-11-23T10:00:00Z'),
    });
  });

  it('names every bad field in one refusal', () => {
    expect(violations({ before: '0', limit: '201', source: 'jobs.nope', code: 'bad code', since: 'yesterday', until: '2026-02-30', cursor: 'x' })).toEqual(['cursor', 'before', 'limit', 'source', 'code', 'since', 'until']);
    expect(violations({ before: '-1' })).toEqual(['before']);
    expect(violations({ before: ['1', '2'] })).toEqual(['before']);
    expect(violations({ limit: '0' })).toEqual(['limit']);
    expect(violations({ limit: '' })).toEqual(['limit']);
    expect(violations({ since: '2026-11-23', until: '2026-11-22' })).toEqual(['until']);
  });

  it('takes a sequence, and refuses what is not one naming seq', () => {
    expect(parseDeadLetterSeq('42')).toBe(42);
    for (const bad of ['0', '-3', '1.5', 'abc', '99999999999999999999']) expect({ bad, thrown: thrownBy(() => parseDeadLetterSeq(bad)) }).toEqual({ bad, thrown: expect.stringContaining('seq: must be') });
  });

  it('lets `jobs` stand for every queue', () => {
    expect(sourceMatches('jobs.mails', ['jobs'])).toBe(true);
    expect(sourceMatches('jobs.mails', ['jobs.pve_vm_clone'])).toBe(false);
    expect(sourceMatches('commands', ['jobs'])).toBe(false);
    expect(sourceMatches('deadlines', undefined)).toBe(true);
  });
});
