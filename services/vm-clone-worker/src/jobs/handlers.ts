import type { WorkerHandlers } from '@vle/task-runtime';
import { createCloneVmHandler, type CloneVmDeps } from './clone-vm.handler.js';
import { createDeleteVmHandler } from './delete-vm.handler.js';

/** The handlers of vm-clone-worker by queue and action (DESIGN §2: queue pve_vm_clone). */
export function createHandlers(deps: CloneVmDeps): WorkerHandlers {
  return {
    pve_vm_clone: {
      clone: createCloneVmHandler(deps),
      delete: createDeleteVmHandler(deps),
    },
  };
}
