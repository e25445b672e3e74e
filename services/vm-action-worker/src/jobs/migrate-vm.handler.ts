// Migrate a VM to another node. Its current node is looked up first (it may have moved since the
// Task was planned); a VM already on the target counts as migrated, so a redelivery after a lost
// answer succeeds. A running VM can only move online.

import { existing, findTargetVm, param, runPveTask, type PveJobDeps } from '@vle/integrations';
import type { JobHandler } from '@vle/messaging';

export function createMigrateVmHandler(deps: PveJobDeps): JobHandler {
  return async (job, context) => {
    const target = param(job.params, 'targetNode', 'string', true)!;
    const vm = existing(await findTargetVm(deps, job.params, context));
    const { vmid } = vm;
    if (vm.node === target) return { responseCode: 'OK', responseMessage: `VM ${vmid} is on ${target}` };
    const online = vm.status === 'running' || param(job.params, 'online', 'boolean', false) === true;
    const task = await runPveTask(deps, context, () => deps.pve.migrateVm(vm.node, vmid, { target, online: online || undefined }));
    return { responseCode: 'OK', responseMessage: `VM ${vmid} migrated from ${vm.node} to ${target}${online ? ' (online)' : ''}: ${task.exitstatus}` };
  };
}
