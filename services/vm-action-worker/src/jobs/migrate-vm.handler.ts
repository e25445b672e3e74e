// Migrate a VM to another node. Its current node is looked up first (it may have moved since the
// Task was planned); a VM already on the target counts as migrated, so a redelivery after a lost
// answer succeeds. A running VM can only move online.

import { existing, findTargetVm, runPveTask, vmTargetParams, type PveJobDeps } from '@vle/integrations';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';

/** What planVmMigrate gives the SubTask. */
const MigrateVmParams = z.object({ ...vmTargetParams, targetNode: z.string().min(1), online: z.boolean().optional() });

export function createMigrateVmHandler(deps: PveJobDeps): JobHandler {
  return defineHandler(MigrateVmParams, async (params, _job, context) => {
    const target = params.targetNode;
    const vm = existing(await findTargetVm(deps, params, context));
    const { vmid } = vm;
    if (vm.node === target) return { responseCode: 'OK', responseMessage: `VM ${vmid} is on ${target}` };
    const online = vm.status === 'running' || params.online === true;
    const task = await runPveTask(deps, context, () => deps.pve.migrateVm(vm.node, vmid, { target, online: online || undefined }));
    return { responseCode: 'OK', responseMessage: `VM ${vmid} migrated from ${vm.node} to ${target}${online ? ' (online)' : ''}: ${task.exitstatus}` };
  });
}
