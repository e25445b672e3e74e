// POST /nodes/{node}/qemu/{vmid}/clone, after qemu-server src/PVE/API2/Qemu.pm clone_vm: the checks
// of `$load_and_check` run before the worker forks (so they fail the POST with a 500); the worker, once
// it holds the lock files, writes the placeholder config ("# qmclone temporary file\nlock: clone\n")
// and copies the disks; only then does the config get its name, description and disks. A failed
// clone frees the new volumes and removes the placeholder before it dies with "clone failed: ...".

import { allocationError, storageUsed } from './capacity.js';
import { assertConfigOnNode, checkLock, configPath, loadConfig, nodeOf, type ClusterContext, type CommandMeta } from './cluster-context.js';
import { died, permError } from './pve-error.js';
import type { PveDisk, PveVm } from './pve-model.js';
import { macOf } from './seed.js';
import { runTask } from './run-task.js';

export interface CloneVm {
  readonly node: string;
  readonly vmid: number;
  readonly newid: number;
  readonly name?: string;
  readonly description?: string;
  readonly pool?: string;
  readonly full?: boolean;
  readonly target?: string;
  readonly storage?: string;
  readonly format?: string;
}

export function cloneVm(ctx: ClusterContext, command: CloneVm, meta: CommandMeta): string {
  const { node, vmid, newid } = command;
  const target = command.target === node || command.target === 'localhost' ? undefined : command.target;
  // check_running($vmid) comes first: it asserts the config is on this node.
  assertConfigOnNode(ctx, node, vmid);

  if (command.pool !== undefined && !ctx.pools.has(command.pool)) throw permError(`pool '${command.pool}' does not exist`);
  if (target) nodeOf(ctx, target);
  const targetStorage = command.storage === undefined ? undefined : ctx.storages.get(command.storage);
  if (command.storage !== undefined && !targetStorage) throw died(`storage '${command.storage}' does not exist`);
  if (targetStorage && target && !targetStorage.shared) throw died(`can't clone to non-shared storage '${targetStorage.id}'`);

  const source = loadConfig(ctx, node, vmid);
  checkLock(source);
  const full = command.full ?? !source.template;
  if (command.storage !== undefined && !full) throw died("parameter 'storage' not allowed for linked clones");
  if (command.format !== undefined && !full) throw died("parameter 'format' not allowed for linked clones");
  // A linked clone needs a base volume, which only a template has (volume_has_feature 'clone').
  if (!full && !source.template) throw died(`Linked clone feature is not supported for '${source.disk.storage}:${source.disk.volume}' (scsi0)`);
  const sourceStorage = ctx.storages.get(source.disk.storage)!;
  if (target && !sourceStorage.shared) throw died(`can't clone VM to node '${target}' (VM uses local storage)`);

  const existing = ctx.vms.get(newid);
  // `-f $conffile` only sees this node's directory; a VMID taken on another node makes pmxcfs refuse
  // the worker's config file instead (below).
  if (existing?.node === node) throw died(`unable to create VM ${newid}: config file already exists`);

  const disk = newDisk(source.disk, newid, full, targetStorage?.id);
  const storage = ctx.storages.get(disk.storage)!;
  const capacityProblem = storageUsed(ctx, storage, node) + disk.size > storage.capacity ? allocationError(storage, diskName(disk)) : undefined;
  const clone: PveVm = {
    vmid: newid,
    name: command.name ?? `Copy-of-VM-${source.name}`,
    node,
    status: 'stopped',
    template: false,
    lock: 'clone',
    placeholder: true,
    cores: source.cores,
    memory: source.memory,
    disk,
    mac: macOf(newid),
    description: command.description,
    sourceVmid: vmid,
  };
  // The POST has not returned yet: the worker's lock on a fresh newid is granted at once, so the
  // placeholder is there before the UPID is answered, as file_set_contents runs first in the worker.

  let upid = '';
  const removeHalfMadeVm = (): void => {
    if (ctx.vms.get(newid) === clone) ctx.vms.delete(newid);
  };
  upid = runTask(
    ctx,
    {
      node,
      type: 'qmclone',
      id: String(vmid),
      lockVmid: existing ? undefined : newid,
      lockWaitMs: ctx.timings.cloneLockWaitMs,
      begin: () => {
        // pmxcfs refuses a second config of one VMID anywhere in the cluster.
        if (existing || ctx.vms.has(newid)) throw died(`close file '/etc/pve/${configPath(node, newid)}' failed - File exists`);
        ctx.vms.set(newid, clone);
        if (capacityProblem) throw died(`clone failed: ${capacityProblem}`);
      },
      complete: () => {
        delete clone.lock;
        delete clone.placeholder;
        if (target) clone.node = target;
        if (command.pool !== undefined) clone.pool = command.pool;
        ctx.ledger.record({ event: 'created', vmid: newid, node: clone.node, name: clone.name, sourceVmid: vmid, upid, at: new Date(ctx.clock.now()).toISOString() });
      },
      onFailure: removeHalfMadeVm,
    },
    meta,
  );
  return upid;
}

function newDisk(source: PveDisk, newid: number, full: boolean, storage: string | undefined): PveDisk {
  const own = `vm-${newid}-disk-0`;
  if (full) return { storage: storage ?? source.storage, volume: own, size: source.size };
  // A linked clone's volume names its base: `base-9000-disk-0/vm-4101-disk-0`.
  return { storage: source.storage, volume: `${source.volume}/${own}`, size: source.size };
}

/** The name the storage layer allocates (the part after a linked clone's base). */
function diskName(disk: PveDisk): string {
  return disk.volume.split('/').at(-1)!;
}
