// Delete a VM: stop it first if it runs (Proxmox refuses "VM N is running - destroy failed"), then
// destroy it with its disks and its backup/replication/HA entries. A VM that is already gone counts
// as deleted, so a redelivery after a lost response succeeds.

import { findTargetVm, isPveError, runPveTask, vmTargetParams, type PveJobDeps } from '@vle/integrations';
import { defineHandler, type JobHandler, type JobResult } from '@vle/messaging';
import { z } from 'zod';

/** What planVmDelete (`vmid`) and an event's archive (`vmName`) give the SubTask. */
const DeleteVmParams = z.object(vmTargetParams);

export function createDeleteVmHandler(deps: PveJobDeps): JobHandler {
  const { pve } = deps;
  const gone = (label: string): JobResult => ({ responseCode: 'OK', responseMessage: `${label} does not exist (already deleted)` });

  return defineHandler(DeleteVmParams, async (params, _job, context) => {
    const { vmid, vm, label } = await findTargetVm(deps, params, context);
    if (!vm) return gone(label);
    try {
      if (vm.status === 'running') await runPveTask(deps, context, () => pve.stopVm(vm.node, vmid));
      const task = await runPveTask(deps, context, () => pve.deleteVm(vm.node, vmid, { purge: true, destroyUnreferencedDisks: true }));
      return { responseCode: 'OK', responseMessage: `VM ${vmid}${vm.name ? ` "${vm.name}"` : ''} deleted from ${vm.node}${vm.status === 'running' ? ' after stopping it' : ''}: ${task.exitstatus}` };
    } catch (error) {
      // Not on that node any more: deleted by an earlier attempt whose answer was lost, or migrated.
      if (isPveError(error) && error.kind === 'not_found' && !(await pve.findVm(vmid))) return gone(label);
      throw error;
    }
  });
}
