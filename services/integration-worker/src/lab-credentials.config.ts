// LAB_CREDENTIALS_KEY: the key lab passwords are derived from (libs/integrations deriveLabPassword),
// shared by everything that creates an account or tells a participant its password (Guacamole
// provisioning, the participants' mails). Spread into the worker's config schema.

import { z } from 'zod';
import { DEV_LAB_CREDENTIALS_KEY, developmentCredential } from '@vle/service-kit';

export const labCredentialsVariables = {
  /**
   * At least 32 characters of randomness (e.g. `openssl rand -base64 48`); changing it changes every
   * password. Outside production the published development key, whose passwords open the sandbox's
   * simulated accounts and nothing else; production refuses it, set or unset (deploy/Dockerfile sets
   * NODE_ENV=production).
   */
  LAB_CREDENTIALS_KEY: developmentCredential(
    z.string().min(32, 'must be at least 32 characters').default(DEV_LAB_CREDENTIALS_KEY),
    'lab credentials key',
    DEV_LAB_CREDENTIALS_KEY,
  ),
};

export type LabCredentialsConfig = z.output<z.ZodObject<typeof labCredentialsVariables>>;
