import { z } from 'zod';
import { httpVariables, natsVariables } from '@vle/service-kit';

export const schedulerConfigSchema = z.object({
  ...httpVariables('scheduler'),
  ...natsVariables,
});

export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;
