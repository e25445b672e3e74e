import type { PveJobDeps } from '@vle/integrations';
import type { WorkerContext, WorkerHandlers } from '@vle/task-runtime';
import { createMigrateVmHandler } from './migrate-vm.handler.js';
import { createNodeSyncHandler } from './node-sync.handler.js';
import { createPowerHandlers } from './power.handlers.js';

/** The handlers of vm-action-worker by queue and action (DESIGN §2: pve_vm_actions, pve_periodic). */
export function createHandlers(deps: PveJobDeps, worker: WorkerContext): WorkerHandlers {
  return {
    pve_vm_actions: { ...createPowerHandlers(deps), migrate: createMigrateVmHandler(deps) },
    pve_periodic: { node_sync: createNodeSyncHandler(deps, worker) },
  };
}
