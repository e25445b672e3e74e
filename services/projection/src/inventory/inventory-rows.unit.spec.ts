import { describe, expect, it } from 'vitest';
import { parsePveInventorySnapshot, type PveInventorySnapshotInput } from '@vle/contracts';
import { inventoryRows, timestampMicros } from './inventory-rows.js';

const rowsOf = (input: PveInventorySnapshotInput) => inventoryRows(parsePveInventorySnapshot(JSON.stringify(input)));

describe('inventoryRows', () => {
  it('maps a snapshot to rows: column names, numbers, null for what Proxmox left out, sorted by key', () => {
    const rows = rowsOf({
      syncedAt: '2026-11-22T10:00:00.123456789Z',
      taskId: '0190a7e2-0000-7000-8000-000000000001',
      subTaskId: 'sync-nodes',
      nodes: [
        { node: 'pve2', status: 'offline' },
        { node: 'pve1', status: 'online', cpu: 0.5, maxCpu: 32, mem: 1024, maxMem: '68719476736', disk: 10, maxDisk: 100, uptime: 3600, pveVersion: 'pve-manager/9.1.3' },
      ],
      guests: [
        { vmid: 201, name: 'lab-1', node: 'pve2', status: 'running', lock: 'backup', pool: 'event-42', maxCpu: 2, maxMem: 2147483648, uptime: '120' },
        { vmid: 100, name: 'debian-tpl', node: 'pve1', status: 'stopped', template: true, lock: '', pool: '' },
      ],
    });
    expect(rows).toEqual({
      syncedAt: '2026-11-22T10:00:00.123456Z',
      taskId: '0190a7e2-0000-7000-8000-000000000001',
      subTaskId: 'sync-nodes',
      nodes: [
        { node: 'pve1', status: 'online', cpu: 0.5, max_cpu: 32, mem: 1024, max_mem: 68719476736, disk: 10, max_disk: 100, uptime: 3600, pve_version: 'pve-manager/9.1.3' },
        { node: 'pve2', status: 'offline', cpu: 0, max_cpu: 0, mem: 0, max_mem: 0, disk: 0, max_disk: 0, uptime: 0, pve_version: null },
      ],
      guests: [
        { vmid: 100, name: 'debian-tpl', node: 'pve1', status: 'stopped', template: true, lock: null, pool: null, max_cpu: 0, max_mem: 0, uptime: 0 },
        { vmid: 201, name: 'lab-1', node: 'pve2', status: 'running', template: false, lock: 'backup', pool: 'event-42', max_cpu: 2, max_mem: 2147483648, uptime: 120 },
      ],
    });
  });

  it('maps an empty cluster and a snapshot without task ids', () => {
    expect(rowsOf({ syncedAt: '2026-11-22T10:00:00Z' })).toEqual({ syncedAt: '2026-11-22T10:00:00.000000Z', taskId: null, subTaskId: null, nodes: [], guests: [] });
  });

  it('writes timestamps with PostgreSQL precision, zones normalized to UTC', () => {
    expect(timestampMicros(0n, 999_999_999)).toBe('1970-01-01T00:00:00.999999Z');
    expect(rowsOf({ syncedAt: '2026-11-22T11:00:00.5+01:00' }).syncedAt).toBe('2026-11-22T10:00:00.500000Z');
  });
});
