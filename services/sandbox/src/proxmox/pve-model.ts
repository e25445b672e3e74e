// The simulated cluster's data: nodes, storages, VMs, pools. Plain records; pve-cluster.ts changes
// them, the API and the control API read them.

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export interface PveNode {
  readonly name: string;
  status: 'online' | 'offline';
  maxcpu: number;
  /** Bytes. */
  maxmem: number;
  /** Bytes the host itself uses (kernel, pve daemons) before any guest runs. */
  readonly hostmem: number;
  readonly bootedAt: number;
}

export interface PveStorage {
  readonly id: string;
  /** lvmthin is node-local (one pool per node), rbd is shared by all nodes. */
  readonly plugintype: 'lvmthin' | 'rbd';
  readonly shared: boolean;
  /** Bytes, per node for a local storage, in total for a shared one. */
  capacity: number;
}

export interface PveDisk {
  readonly storage: string;
  /** The volume name on the storage, e.g. `base-9000-disk-0` or `base-9000-disk-0/vm-4101-disk-0`. */
  readonly volume: string;
  readonly size: number;
}

export interface PveVm {
  readonly vmid: number;
  name: string;
  node: string;
  status: 'running' | 'stopped';
  template: boolean;
  /** The config lock (`lock: clone` in the .conf), as AbstractConfig check_lock reports it. */
  lock?: string;
  /**
   * While a clone copies its disks the .conf is qemu-server's placeholder (`# qmclone temporary
   * file`, `lock: clone`): name, description and disks are written only when the copy ends.
   */
  placeholder?: boolean;
  pool?: string;
  cores: number;
  /** MiB, as the config's `memory`. */
  memory: number;
  disk: PveDisk;
  mac: string;
  description?: string;
  startedAt?: number;
  /** The VM this one was cloned from, if any. */
  sourceVmid?: number;
}

export interface PvePool {
  readonly poolid: string;
}

/** Node-local storages have one usage figure per node; shared storages one for the cluster. */
export function storageScope(storage: PveStorage, node: string): string {
  return storage.shared ? storage.id : `${node}/${storage.id}`;
}
