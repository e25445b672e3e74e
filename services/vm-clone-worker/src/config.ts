import { z } from 'zod';
import { httpVariables, natsVariables, workerVariables } from '@vle/service-kit';

export const vmCloneWorkerConfigSchema = z.object({
  ...httpVariables('vm-clone-worker'),
  ...natsVariables,
  ...workerVariables,
});

export type VmCloneWorkerConfig = z.output<typeof vmCloneWorkerConfigSchema>;
