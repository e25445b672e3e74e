import { describe, expect, it } from 'vitest';
import { validateDag } from '../task/dag.js';
import { violation } from '../task/testing.js';
import { planGuacamoleCleanup, planGuacamoleProvision } from './guacamole.plans.js';

const s07 = { username: 'ev42-s07', fullName: 'Ada Lovelace', connectionName: 'ev42-s07-rdp', protocol: 'rdp', hostname: 'lab-ev42-s07.lab.example.org', vmid: 4107 };
const s08 = { username: 'ev42-s08', connectionName: 'ev42-s08-vnc', protocol: 'vnc', hostname: 'lab-ev42-s08', port: 5901 };

describe('guacamole.provision', () => {
  it('plans one provision SubTask per connection on queue guacamole, about the connection, with no password', () => {
    const plan = planGuacamoleProvision({ connections: [s07, s08], validUntil: '2026-05-01' }, {});
    expect(plan).toMatchObject({ name: 'Provision 2 Guacamole connections' });
    expect(plan.objectType).toBeUndefined();
    expect(plan.subtasks).toEqual([
      {
        key: 'provision-ev42-s07-rdp',
        name: 'Provision Guacamole connection ev42-s07-rdp for ev42-s07',
        action: 'provision',
        queue: 'guacamole',
        objectType: 'connection',
        objectId: 'ev42-s07-rdp',
        params: { username: 'ev42-s07', fullName: 'Ada Lovelace', connectionName: 'ev42-s07-rdp', protocol: 'rdp', hostname: 'lab-ev42-s07.lab.example.org', port: 3389, vmid: 4107, validUntil: '2026-05-01' },
      },
      expect.objectContaining({ key: 'provision-ev42-s08-vnc', objectId: 'ev42-s08-vnc', params: { username: 'ev42-s08', connectionName: 'ev42-s08-vnc', protocol: 'vnc', hostname: 'lab-ev42-s08', port: 5901, validUntil: '2026-05-01' } }),
    ]);
    expect(JSON.stringify(plan)).not.toMatch(/password/i);
    expect(() => validateDag(plan.subtasks.map((s) => ({ ...s, id: s.key })))).not.toThrow();
  });

  it('defaults the port by protocol and names a Task of one connection after it', () => {
    const plan = planGuacamoleProvision({ connections: [{ ...s08, port: undefined } as never] }, {});
    expect(plan).toMatchObject({ name: 'Provision Guacamole connection ev42-s08-vnc', objectType: 'connection', objectId: 'ev42-s08-vnc' });
    expect(plan.subtasks[0]!.params).toMatchObject({ port: 5900 });
  });

  it('refuses a connection listed twice', () => {
    const error = violation(() => planGuacamoleProvision({ connections: [s07, { ...s08, connectionName: 'ev42-s07-rdp' }] }, {}));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', field: 'params.connections[1].connectionName' });
  });
});

describe('guacamole.cleanup', () => {
  it('plans one cleanup SubTask per connection', () => {
    const plan = planGuacamoleCleanup({ connections: [{ username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }, { username: 'ev42-s08', connectionName: 'ev42-s08-vnc' }] }, {});
    expect(plan.name).toBe('Remove 2 Guacamole connections');
    expect(plan.subtasks.map((s) => [s.key, s.action, s.queue, s.objectType, s.objectId, s.params])).toEqual([
      ['cleanup-ev42-s07-rdp', 'cleanup', 'guacamole', 'connection', 'ev42-s07-rdp', { username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }],
      ['cleanup-ev42-s08-vnc', 'cleanup', 'guacamole', 'connection', 'ev42-s08-vnc', { username: 'ev42-s08', connectionName: 'ev42-s08-vnc' }],
    ]);
  });
});
