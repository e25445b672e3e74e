import { describe, expect, it } from 'vitest';
import { ContractError } from '@vle/contracts';
import { parseGuestFilter, parseVmid } from './inventory-query.js';

function violationsOf(parse: () => unknown) {
  try {
    parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return (error as ContractError).violations;
  }
  throw new Error('expected a ContractError');
}

describe('parseGuestFilter', () => {
  it('reads every filter, none by default', () => {
    expect(parseGuestFilter({})).toEqual({});
    expect(parseGuestFilter({ node: 'pve1', template: 'false', status: 'running', pool: 'event-42' })).toEqual({ node: 'pve1', template: false, status: 'running', pool: 'event-42' });
    expect(parseGuestFilter({ template: 'true' })).toEqual({ template: true });
  });

  it.each([
    [{ template: 'yes' }, 'template', 'not true or false'],
    [{ template: ['true', 'false'] }, 'template', 'given once'],
    [{ status: 'RUNNING' }, 'status', 'not a Proxmox status'],
    [{ node: ' ' }, 'node', 'must not be empty'],
    [{ pool: 'p'.repeat(201) }, 'pool', 'at most 200'],
    [{ vmid: '100' }, 'vmid', 'is not a filter'],
  ])('refuses %j naming %s', (query, field, message) => {
    expect(violationsOf(() => parseGuestFilter(query))).toContainEqual({ field, message: expect.stringContaining(message) });
  });

  it('lists every bad field at once', () => {
    expect(violationsOf(() => parseGuestFilter({ template: 'x', status: '!' })).map((v) => v.field)).toEqual(['status', 'template']);
  });
});

describe('parseVmid', () => {
  it('accepts 1..999999999, refuses anything else naming vmid', () => {
    expect(parseVmid('100')).toBe(100);
    expect(parseVmid('999999999')).toBe(999999999);
    for (const bad of ['0', '-1', '1e3', 'abc', '1000000000', '']) {
      expect(violationsOf(() => parseVmid(bad))).toEqual([{ field: 'vmid', message: expect.stringContaining('not a Proxmox VM id') }]);
    }
  });
});
