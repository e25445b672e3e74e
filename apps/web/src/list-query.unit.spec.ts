import { describe, expect, it } from 'vitest';
import { apiParams, filtersOf, queryOf } from './list-query.js';

describe('the list filters', () => {
  it('reads the known filters from the address and ignores blank and unknown ones', () => {
    expect(filtersOf({ q: ' status = failed ', status: '', eventId: ['e1', 'e2'], tab: 'x', silent: 'true' })).toEqual({ q: 'status = failed', eventId: 'e1', silent: 'true' });
  });

  it('gives the API its parameters, a period as `from`, and `silent` only when asked', () => {
    const now = Date.parse('2026-12-02T12:00:00.000Z');
    expect(Object.fromEntries(apiParams({ status: 'failed', period: '1h', from: '2026-01-01T00:00', silent: '' }, now))).toEqual({ status: 'failed', from: '2026-12-02T11:00:00.000Z' });
    expect(apiParams({ objectType: 'vm', objectId: '101', silent: 'true' }, now).toString()).toBe('objectType=vm&objectId=101&silent=true');
  });

  it('turns the local times of the date inputs into instants', () => {
    const from = '2026-12-02T08:30';
    expect(apiParams({ from }).get('from')).toBe(new Date(from).toISOString());
  });

  it('writes only the filters that have a value into the address', () => {
    expect(queryOf({ q: 'x', status: '', eventId: undefined })).toEqual({ q: 'x' });
  });
});
