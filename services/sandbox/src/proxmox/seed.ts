// The cluster the sandbox boots with and resets to: three nodes, a node-local thin pool on each, one
// shared Ceph pool, two templates and two pools. Nothing else: every other VM is made by a client
// (and recorded in the ledger) or added by a test through the control API.

import { GIB, type PveNode, type PvePool, type PveStorage, type PveVm } from './pve-model.js';

export const SEED_NODES: readonly Omit<PveNode, 'bootedAt'>[] = [
  { name: 'pve1', status: 'online', maxcpu: 32, maxmem: 128 * GIB, hostmem: 4 * GIB },
  { name: 'pve2', status: 'online', maxcpu: 32, maxmem: 128 * GIB, hostmem: 4 * GIB },
  { name: 'pve3', status: 'online', maxcpu: 16, maxmem: 64 * GIB, hostmem: 4 * GIB },
];

export const SEED_STORAGES: readonly PveStorage[] = [
  { id: 'local-lvm', plugintype: 'lvmthin', shared: false, capacity: 1024 * GIB },
  { id: 'ceph-vm', plugintype: 'rbd', shared: true, capacity: 4096 * GIB },
];

export const SEED_POOLS: readonly PvePool[] = [{ poolid: 'vle' }, { poolid: 'ev42' }];

export function seedVms(): PveVm[] {
  return [
    {
      vmid: 9000,
      name: 'tpl-ubuntu-24',
      node: 'pve1',
      status: 'stopped',
      template: true,
      cores: 2,
      memory: 4096,
      disk: { storage: 'ceph-vm', volume: 'base-9000-disk-0', size: 32 * GIB },
      mac: macOf(9000),
      pool: 'vle',
    },
    {
      vmid: 9001,
      name: 'tpl-win11',
      node: 'pve2',
      status: 'stopped',
      template: true,
      cores: 4,
      memory: 8192,
      disk: { storage: 'local-lvm', volume: 'base-9001-disk-0', size: 64 * GIB },
      mac: macOf(9001),
      pool: 'vle',
    },
  ];
}

/** A stable MAC in the Proxmox OUI (BC:24:11), as PVE::Tools::random_ether_addr would draw one. */
export function macOf(vmid: number): string {
  const bytes = [(vmid >> 16) & 0xff, (vmid >> 8) & 0xff, vmid & 0xff];
  return ['BC', '24', '11', ...bytes.map((b) => b.toString(16).toUpperCase().padStart(2, '0'))].join(':');
}
