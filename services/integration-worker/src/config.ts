import { z } from 'zod';
import { httpVariables, natsVariables, workerVariables } from '@vle/service-kit';

export const integrationWorkerConfigSchema = z.object({
  ...httpVariables('integration-worker'),
  ...natsVariables,
  ...workerVariables,
});

export type IntegrationWorkerConfig = z.output<typeof integrationWorkerConfigSchema>;
