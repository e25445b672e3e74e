import { z } from 'zod';
import { httpVariables, natsVariables, proxmoxVariables, workerVariables } from '@vle/service-kit';

export const vmActionWorkerConfigSchema = z.object({
  ...httpVariables('vm-action-worker'),
  ...natsVariables,
  ...workerVariables,
  ...proxmoxVariables,
});

export type VmActionWorkerConfig = z.output<typeof vmActionWorkerConfigSchema>;
