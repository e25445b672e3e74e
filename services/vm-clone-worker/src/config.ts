import { z } from 'zod';
import { httpVariables, natsVariables, proxmoxVariables, workerVariables } from '@vle/service-kit';

export const vmCloneWorkerConfigSchema = z.object({
  ...httpVariables('vm-clone-worker'),
  ...natsVariables,
  ...workerVariables,
  ...proxmoxVariables,
});

export type VmCloneWorkerConfig = z.output<typeof vmCloneWorkerConfigSchema>;
