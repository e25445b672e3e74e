// POST /nodes/{node}/qemu/{vmid}/migrate, after qemu-server src/PVE/API2/Qemu.pm migrate_vm (checks
// before forking) and PVE::AbstractMigrate / PVE::QemuMigrate (the worker sets `lock: migrate` in
// phase1 under the lock file, moves the config to the target at the end, and dies with
// "migration aborted" whatever went wrong; the reason is only in the task log).

import { checkLock, loadConfig, nodeOf, type ClusterContext, type CommandMeta } from './cluster-context.js';
import { died, paramError } from './pve-error.js';
import { runTask } from './run-task.js';

export interface MigrateVm {
  readonly node: string;
  readonly vmid: number;
  readonly target: string;
  readonly online?: boolean;
  readonly withLocalDisks?: boolean;
}

export function migrateVm(ctx: ClusterContext, command: MigrateVm, meta: CommandMeta): string {
  const { node, vmid, target } = command;
  if (target === node) throw paramError({ target: 'target is local node.' });
  nodeOf(ctx, target);
  const vm = loadConfig(ctx, node, vmid);
  checkLock(vm);
  const online = vm.status === 'running';
  if (online && !command.online) throw died("can't migrate running VM without --online");
  const localDisk = !ctx.storages.get(vm.disk.storage)!.shared;
  return runTask(
    ctx,
    {
      node,
      type: 'qmigrate',
      id: String(vmid),
      lockVmid: vmid,
      releaseAfterBegin: true,
      begin: () => {
        const current = loadConfig(ctx, node, vmid);
        checkLock(current);
        if (ctx.nodes.get(target)!.status !== 'online') throw died('migration aborted');
        // QemuMigrate prepare: "can't live migrate attached local disks without with-local-disks option"
        if (online && localDisk && !command.withLocalDisks) throw died('migration aborted');
        current.lock = 'migrate';
      },
      complete: () => {
        const current = ctx.vms.get(vmid)!;
        delete current.lock;
        current.node = target;
      },
      onFailure: () => {
        const current = ctx.vms.get(vmid);
        if (current?.lock === 'migrate') delete current.lock;
      },
    },
    meta,
  );
}
