import { describe, expect, it } from 'vitest';
import { groupFailures, type FailureRow } from './failure-groups.js';

const row = (queue: string, action: string, code: string | null, message: string | null, n: number, groupCount: number): FailureRow => ({ queue, action, responseCode: code, responseMessage: message, taskId: `t${n}`, subTaskId: `s${n}`, groupCount });

describe('groupFailures', () => {
  it('groups by queue, action, code and message; the largest first; each with the ids to retry it', () => {
    const rows = [
      row('mails', 'send', 'SMTP_550', 'mailbox unavailable', 1, 1),
      row('pve_vm_clone', 'clone', 'PVE_500', 'storage full on pve2', 2, 3),
      row('pve_vm_clone', 'clone', 'PVE_500', 'storage full on pve2', 3, 3),
      row('pve_vm_clone', 'clone', 'PVE_500', 'storage full on pve1', 4, 1),
      row('pve_vm_clone', 'clone', 'PVE_500', 'storage full on pve2', 5, 3),
    ];
    const result = groupFailures(rows, { maxGroups: 10, maxIds: 10 });
    expect(result.total).toBe(5);
    expect(result.groupsTotal).toBe(3);
    expect(result.groups.map((g) => [g.responseMessage, g.count])).toEqual([
      ['storage full on pve2', 3],
      ['mailbox unavailable', 1],
      ['storage full on pve1', 1],
    ]);
    expect(result.groups[0]).toEqual({ queue: 'pve_vm_clone', action: 'clone', responseCode: 'PVE_500', responseMessage: 'storage full on pve2', count: 3, retry: [{ taskId: 't2', subTaskId: 's2' }, { taskId: 't3', subTaskId: 's3' }, { taskId: 't5', subTaskId: 's5' }], retryTruncated: false });
  });

  it('keeps a code or message that is absent apart from an empty one', () => {
    const result = groupFailures([row('q', 'a', null, null, 1, 1), row('q', 'a', '', '', 2, 1), row('q', 'a', null, 'x', 3, 1)], { maxGroups: 10, maxIds: 10 });
    expect(result.groupsTotal).toBe(3);
  });

  it('caps the ids of a group and the groups, and says so with the totals', () => {
    const rows = [...Array.from({ length: 5 }, (_, i) => row('q', 'big', 'E', 'm', i, 40)), row('q', 'small', 'E', 'm', 9, 2), row('q', 'tiny', 'E', 'm', 10, 1)];
    const result = groupFailures(rows, { maxGroups: 2, maxIds: 3 });
    expect(result).toMatchObject({ total: 43, groupsTotal: 3 });
    expect(result.groups.map((g) => [g.action, g.count, g.retry.length, g.retryTruncated])).toEqual([
      ['big', 40, 3, true],
      ['small', 2, 1, true],
    ]);
  });

  it('gives nothing for no failure', () => {
    expect(groupFailures([], { maxGroups: 5, maxIds: 5 })).toEqual({ total: 0, groups: [], groupsTotal: 0 });
  });
});
