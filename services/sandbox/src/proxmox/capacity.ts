// What a node and a storage have left. A simplification, on purpose: a guest uses its full configured
// memory while it runs (no ballooning, no KSM), and a volume uses its full size on its storage, linked
// clones included (a thin pool with no over-provisioning). That makes "full" reachable and
// predictable in tests.

import type { ClusterContext } from './cluster-context.js';
import { MIB, storageScope, type PveNode, type PveStorage } from './pve-model.js';

export function memoryUsed(ctx: ClusterContext, node: PveNode): number {
  let used = node.hostmem;
  for (const vm of ctx.vms.values()) {
    if (vm.node === node.name && (vm.status === 'running' || ctx.starting.has(vm.vmid))) used += vm.memory * MIB;
  }
  return used;
}

export function coresUsed(ctx: ClusterContext, node: PveNode): number {
  let cores = 0;
  for (const vm of ctx.vms.values()) if (vm.node === node.name && vm.status === 'running') cores += vm.cores;
  return cores;
}

/** CPU utilisation as pvestatd reports it: a fraction of the node's CPUs. */
export function cpuLoad(ctx: ClusterContext, node: PveNode): number {
  if (node.status !== 'online') return 0;
  // An idle node shows ~1 %; each running vCPU adds a little guest load.
  return Math.min(1, Number((0.01 + (coresUsed(ctx, node) * 0.05) / node.maxcpu).toFixed(4)));
}

export function storageUsed(ctx: ClusterContext, storage: PveStorage, node: string): number {
  const scope = storageScope(storage, node);
  let used = 0;
  for (const vm of ctx.vms.values()) {
    if (vm.disk.storage === storage.id && storageScope(storage, vm.node) === scope) used += vm.disk.size;
  }
  return used;
}

/**
 * The error text the storage plugin dies with when a new volume does not fit: lvcreate on the node's
 * thin pool (PVE::Storage::LvmThinPlugin alloc_image, run_command's errmsg plus lvcreate's stderr),
 * or rbd create on the Ceph pool (RBDPlugin).
 */
export function allocationError(storage: PveStorage, volume: string): string {
  if (storage.plugintype === 'lvmthin') {
    return `lvcreate 'pve/${volume}' error:   Cannot create new thin volume, free space in thin pool pve/data reached threshold.`;
  }
  return `rbd create '${volume}' error: rbd: create error: (28) No space left on device`;
}
