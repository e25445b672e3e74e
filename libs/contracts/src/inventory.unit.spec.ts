import { describe, expect, it } from 'vitest';
import { ContractError } from './errors.js';
import { parsePveInventorySnapshot, type PveInventorySnapshotInput } from './inventory.js';
import { Topology } from './topology.js';

const snapshot: PveInventorySnapshotInput = {
  syncedAt: '2026-11-22T10:00:00.000Z',
  taskId: '0190a7e2-0000-7000-8000-000000000001',
  subTaskId: 'sync',
  nodes: [{ node: 'pve1', status: 'online', cpu: 0.25, maxCpu: 32, mem: 68_719_476_736, maxMem: '274877906944', disk: 1, maxDisk: 2, uptime: 86_400, pveVersion: 'pve-manager/9.1.3' }],
  guests: [
    { vmid: 100, name: 'tpl', node: 'pve1', status: 'stopped', template: true, maxCpu: 2, maxMem: 2_147_483_648 },
    { vmid: 101, name: 'vm', node: 'pve1', status: 'running', lock: 'backup', pool: 'lab', maxCpu: 4, maxMem: '4294967296', uptime: 60 },
  ],
};

function rejection(raw: unknown): ContractError {
  try {
    parsePveInventorySnapshot(typeof raw === 'string' ? raw : JSON.stringify(raw));
  } catch (error) {
    if (error instanceof ContractError) return error;
    throw error;
  }
  throw new Error('expected a ContractError');
}

describe('parsePveInventorySnapshot', () => {
  it('reads 64-bit counters given as JSON numbers or decimal strings', () => {
    const parsed = parsePveInventorySnapshot(JSON.stringify(snapshot));
    expect(parsed.nodes[0]).toMatchObject({ node: 'pve1', maxCpu: 32, mem: 68_719_476_736n, maxMem: 274_877_906_944n });
    expect(parsed.guests.map((g) => [g.vmid, g.template, g.maxMem])).toEqual([
      [100, true, 2_147_483_648n],
      [101, false, 4_294_967_296n],
    ]);
  });

  it.each([
    [{ ...snapshot, syncedAt: undefined }, 'syncedAt', 'is required'],
    [{ ...snapshot, syncedAt: 'yesterday' }, 'syncedAt', 'RFC 3339'],
    [{ ...snapshot, nodes: [{ node: 'pve1', status: 'sleeping' }] }, 'nodes[0].status', 'must be one of online, offline, unknown'],
    [{ ...snapshot, nodes: [{ node: 'pve1', status: 'online', mem: -1 }] }, 'nodes[0].mem', 'between 0 and'],
    [{ ...snapshot, nodes: [{ node: 'pve1', status: 'online', mem: '12GB' }] }, 'nodes[0].mem', 'whole number'],
    [{ ...snapshot, guests: [{ vmid: 0, node: 'pve1', status: 'running' }] }, 'guests[0].vmid', 'at least 1'],
    [{ ...snapshot, guests: [{ vmid: 100, status: 'running' }] }, 'guests[0].node', 'is required'],
    [{ ...snapshot, guests: [{ vmid: 100, node: 'pve1', status: 'Running!' }] }, 'guests[0].status', 'must match'],
    [{ ...snapshot, guests: [...snapshot.guests!, { vmid: 100, node: 'pve2', status: 'running' }] }, 'guests[2].vmid', '"100" is also guests[0].vmid'],
    [{ ...snapshot, nodes: [...snapshot.nodes!, { node: 'pve1', status: 'offline' }] }, 'nodes[1].node', 'is also nodes[0].node'],
    [{ ...snapshot, vms: [] }, 'vms', 'not a known field'],
  ])('refuses %j naming the field', (raw, field, message) => {
    const error = rejection(raw);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.violations).toContainEqual({ field, message: expect.stringContaining(message) });
    expect(error.message).toContain(field);
  });

  it('refuses malformed JSON and a snapshot over the size limit', () => {
    expect(rejection('{"syncedAt": ').code).toBe('MALFORMED_JSON');
    expect(rejection({ ...snapshot, taskId: 'x'.repeat(1024 * 1024) }).code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('Topology: the Proxmox inventory', () => {
  it('keeps snapshots out of the event log, under the namespace', () => {
    const topology = new Topology({ namespace: 'ns' });
    expect(topology.pveInventorySubject).toBe('ns.inventory.pve.snapshot');
    expect(topology.pveInventoryStream).toMatchObject({ name: 'ns_PVE_INVENTORY', subjects: ['ns.inventory.pve.snapshot'], retention: 'limits', max_msgs_per_subject: 5 });
    expect(topology.pveInventoryConsumer).toMatchObject({ durable_name: 'ns_projection-pve-inventory', filter_subject: 'ns.inventory.pve.snapshot', max_ack_pending: 1 });
    expect(topology.deadLetterSubject('inventory.pve')).toBe('ns.dlq.inventory.pve');
    expect(topology.streams.map((s) => s.name)).toContain('ns_PVE_INVENTORY');
    expect(new Topology().pveInventorySubject).toBe('inventory.pve.snapshot');
  });
});
