// LAB_CREDENTIALS_KEY: the key lab passwords are derived from (libs/integrations deriveLabPassword),
// shared by everything that creates an account or tells a participant its password (Guacamole
// provisioning, the participants' mails). Spread into the worker's config schema.

import { z } from 'zod';
import { ConfigError } from '@vle/service-kit';

/**
 * The key outside production when LAB_CREDENTIALS_KEY is unset, published on purpose (README): the
 * passwords it gives open the sandbox's simulated accounts and nothing else.
 */
export const DEV_LAB_CREDENTIALS_KEY = 'vle-tasks-development-only-lab-credentials-key';

export const labCredentialsVariables = {
  /** At least 32 characters of randomness (e.g. `openssl rand -base64 48`); changing it changes every password. */
  LAB_CREDENTIALS_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** `production` makes LAB_CREDENTIALS_KEY required (deploy/Dockerfile sets it). */
  NODE_ENV: z.string().optional(),
};

export type LabCredentialsConfig = z.output<z.ZodObject<typeof labCredentialsVariables>>;

/** The key to derive passwords with; in production an unset key stops the service at boot, naming it. */
export function labCredentialsKey(config: LabCredentialsConfig): string {
  if (config.LAB_CREDENTIALS_KEY) return config.LAB_CREDENTIALS_KEY;
  if (config.NODE_ENV === 'production') throw new ConfigError([{ variable: 'LAB_CREDENTIALS_KEY', message: 'is required when NODE_ENV=production' }]);
  return DEV_LAB_CREDENTIALS_KEY;
}
