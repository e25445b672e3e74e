import { z } from 'zod';
import { logFormatVariable, logLevelVariable, SERVICE_NAMES } from '@vle/service-kit';

export const SERVICE_ROLES = ['all', ...SERVICE_NAMES] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export const allConfigSchema = z.object({
  SERVICE_ROLE: z.enum(SERVICE_ROLES, { error: `must be one of ${SERVICE_ROLES.join(', ')}` }).default('all'),
  LOG_LEVEL: logLevelVariable,
  LOG_FORMAT: logFormatVariable,
});

export type AllConfig = z.output<typeof allConfigSchema>;
