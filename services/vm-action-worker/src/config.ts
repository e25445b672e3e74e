import { z } from 'zod';
import { httpVariables, natsVariables, workerVariables } from '@vle/service-kit';

export const vmActionWorkerConfigSchema = z.object({
  ...httpVariables('vm-action-worker'),
  ...natsVariables,
  ...workerVariables,
});

export type VmActionWorkerConfig = z.output<typeof vmActionWorkerConfigSchema>;
