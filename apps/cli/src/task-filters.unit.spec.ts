import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFilterOptions, filtersOf, type FilterOptions } from './task-filters.js';

const now = () => new Date('2026-11-22T12:00:00.000Z');

function parse(args: string[]): FilterOptions {
  const command = addFilterOptions(new Command('list')).exitOverride().configureOutput({ writeErr: () => {} });
  command.parse(args, { from: 'user' });
  return command.opts<FilterOptions>();
}

describe('the list filters', () => {
  it("turn the options into the API's parameters", () => {
    const options = parse(['-q', 'status = failed', '--status', 'failed,timed_out', '--status', 'cancelled', '--type', 'vm.clone', '--queue', 'pve_vm_clone', '--code', 'PVE_500', '--event', '42', '--user', 'alice', '--name', 'clone', '--object', 'vm:123', '--origin', 'o-1', '--until', '2026-11-22', '--updated-since', '2026-11-21T00:00:00Z', '--silent']);
    expect(filtersOf(options, now)).toEqual({
      q: 'status = failed',
      status: ['failed', 'timed_out', 'cancelled'],
      type: ['vm.clone'],
      queue: ['pve_vm_clone'],
      responseCode: ['PVE_500'],
      eventId: '42',
      createdBy: 'alice',
      name: 'clone',
      objectType: 'vm',
      objectId: '123',
      originTaskId: 'o-1',
      to: '2026-11-22',
      updatedSince: '2026-11-21T00:00:00.000Z',
      silent: true,
    });
  });

  it('give --period as `from` that long ago, and an object without a type as any object', () => {
    expect(filtersOf(parse(['--period', '24h', '--object', '123']), now)).toEqual({ from: '2026-11-21T12:00:00.000Z', objectId: '123' });
    expect(filtersOf(parse([]), now)).toEqual({});
  });

  it('refuse --period with --since or --until, and a time that is none', () => {
    expect(() => parse(['--period', '1h', '--since', '2h'])).toThrow(/cannot be used with/);
    expect(() => parse(['--since', 'last week'])).toThrow(/option '--since <time>' argument 'last week' is invalid/);
  });
});
