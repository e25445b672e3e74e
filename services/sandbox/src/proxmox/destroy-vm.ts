// DELETE /nodes/{node}/qemu/{vmid}, after qemu-server src/PVE/API2/Qemu.pm destroy_vm: its early checks
// (config exists, not running) fail the request; the worker repeats them under the lock file, then
// PVE::QemuServer::destroy_vm checks the config lock and marks the config `lock: destroyed` while it
// frees the volumes.

import { checkLock, loadConfig, type ClusterContext, type CommandMeta } from './cluster-context.js';
import { died } from './pve-error.js';
import type { PveVm } from './pve-model.js';
import { runTask } from './run-task.js';
import type { VmRef } from './vm-power.js';

export function destroyVm(ctx: ClusterContext, { node, vmid }: VmRef, meta: CommandMeta): string {
  const earlyChecks = (): PveVm => {
    const vm = loadConfig(ctx, node, vmid);
    if (vm.status === 'running') throw died(`VM ${vmid} is running - destroy failed`);
    return vm;
  };
  earlyChecks();
  let victim: PveVm | undefined;
  let lockBefore: string | undefined;
  const upid = runTask(
    ctx,
    {
      node,
      type: 'qmdestroy',
      id: String(vmid),
      lockVmid: vmid,
      begin: () => {
        victim = earlyChecks();
        checkLock(victim);
        lockBefore = victim.lock;
        victim.lock = 'destroyed';
      },
      complete: () => {
        ctx.vms.delete(vmid);
        ctx.ledger.record({ event: 'deleted', vmid, node, name: victim!.name, sourceVmid: victim!.sourceVmid, upid, at: new Date(ctx.clock.now()).toISOString() });
      },
      onFailure: () => {
        // An injected failure leaves the VM as it was (the volumes were still there).
        if (victim && victim.lock === 'destroyed') {
          if (lockBefore === undefined) delete victim.lock;
          else victim.lock = lockBefore;
        }
      },
    },
    meta,
  );
  return upid;
}
