// POST .../status/start|stop|shutdown|reset, after qemu-server src/PVE/API2/Qemu.pm (vm_start, vm_stop,
// vm_shutdown, vm_reset) and src/PVE/QemuServer.pm (vm_start, _do_vm_stop, vm_reset). Start, stop
// and shutdown check nothing before forking: a missing, locked or already running VM fails the task.
// Reset refuses a stopped VM before forking ("VM N not running").

import { memoryUsed } from './capacity.js';
import { assertConfigOnNode, checkLock, loadConfig, type ClusterContext, type CommandMeta } from './cluster-context.js';
import { died } from './pve-error.js';
import { MIB } from './pve-model.js';
import { runTask } from './run-task.js';

export interface VmRef {
  readonly node: string;
  readonly vmid: number;
}

export function startVm(ctx: ClusterContext, { node, vmid }: VmRef, meta: CommandMeta): string {
  return runTask(
    ctx,
    {
      node,
      type: 'qmstart',
      id: String(vmid),
      lockVmid: vmid,
      begin: () => {
        const vm = loadConfig(ctx, node, vmid);
        if (vm.template) throw died("you can't start a vm if it's a template");
        checkLock(vm);
        if (vm.status === 'running') throw died(`VM ${vmid} already running`);
        // QEMU cannot allocate the guest's RAM: kvm prints "cannot set up guest memory 'pc.ram':
        // Cannot allocate memory" to the task log and vm_start_nolock dies with its exit code.
        const host = ctx.nodes.get(node)!;
        if (memoryUsed(ctx, host) + vm.memory * MIB > host.maxmem) throw died('start failed: QEMU exited with code 1');
        ctx.starting.add(vmid);
      },
      complete: () => {
        ctx.starting.delete(vmid);
        const vm = ctx.vms.get(vmid)!;
        vm.status = 'running';
        vm.startedAt = ctx.clock.now();
      },
      onFailure: () => void ctx.starting.delete(vmid),
    },
    meta,
  );
}

/** vm_stop and vm_shutdown share _do_vm_stop: a VM that is not running is "OK" at once, even if locked. */
export function stopVm(ctx: ClusterContext, { node, vmid }: VmRef, meta: CommandMeta, type: 'qmstop' | 'qmshutdown'): string {
  return runTask(
    ctx,
    {
      node,
      type,
      id: String(vmid),
      lockVmid: vmid,
      begin: () => {
        const vm = assertConfigOnNode(ctx, node, vmid);
        if (vm.status !== 'running') return false;
        checkLock(vm);
        return true;
      },
      complete: () => {
        const vm = ctx.vms.get(vmid)!;
        vm.status = 'stopped';
        delete vm.startedAt;
      },
    },
    meta,
  );
}

export function resetVm(ctx: ClusterContext, { node, vmid }: VmRef, meta: CommandMeta): string {
  if (assertConfigOnNode(ctx, node, vmid).status !== 'running') throw died(`VM ${vmid} not running`);
  return runTask(
    ctx,
    {
      node,
      type: 'qmreset',
      id: String(vmid),
      lockVmid: vmid,
      begin: () => {
        const vm = loadConfig(ctx, node, vmid);
        checkLock(vm);
        if (vm.status !== 'running') throw died(`VM ${vmid} not running`);
      },
      complete: () => undefined,
    },
    meta,
  );
}
