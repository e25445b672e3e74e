// The variables of integration-worker's Guacamole queue (`guacamole`), spread into its config
// schema. The defaults reach the sandbox's Guacamole simulator with its development password, so
// that `npm start` works on a laptop; a real installation sets GUACAMOLE_URL and the account
// (production refuses the development password, @vle/service-kit development-credentials.ts).
// GUACAMOLE_PASSWORD is never logged (a secret key for the logger's redaction; the client keeps it
// out of its errors).

import { z } from 'zod';
import { GuacamoleClient } from '@vle/integrations';
import { DEV_GUACAMOLE_PASSWORD, developmentCredential, integerVariable } from '@vle/service-kit';
import type { LabCredentialsConfig } from '../../lab-credentials.config.js';
import type { GuacamoleJobDeps } from './guacamole-jobs.js';

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const guacamoleVariables = {
  /** The web application's URL (its context path included), without /api. */
  GUACAMOLE_URL: z
    .string()
    .default('http://127.0.0.1:3009/guacamole')
    .refine((raw) => isHttpUrl(raw.trim()), 'must be an http:// or https:// URL')
    .transform((raw) => raw.trim().replace(/\/+$/, '')),
  /** An account with CREATE_USER, CREATE_CONNECTION and CREATE_SHARING_PROFILE (or ADMINISTER) on the data source. */
  GUACAMOLE_USERNAME: z.string().trim().min(1, 'must not be blank').default('guacadmin'),
  GUACAMOLE_PASSWORD: developmentCredential(z.string().min(1, 'must not be empty').default(DEV_GUACAMOLE_PASSWORD), 'Guacamole password', DEV_GUACAMOLE_PASSWORD),
  /** The data source holding the objects (the JDBC module's: postgresql, mysql, sqlserver). */
  GUACAMOLE_DATA_SOURCE: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a data source identifier such as postgresql').default('postgresql'),
  /** Upper bound of one request. */
  GUACAMOLE_TIMEOUT_MS: integerVariable(30_000, 100, 600_000),
};

export type GuacamoleConfig = z.output<z.ZodObject<typeof guacamoleVariables>> & LabCredentialsConfig;

/** The Guacamole client and the lab key of the `guacamole` handlers, made once at boot. */
export function createGuacamoleJobDeps(config: GuacamoleConfig): GuacamoleJobDeps {
  return {
    guacamole: new GuacamoleClient({
      baseUrl: config.GUACAMOLE_URL,
      username: config.GUACAMOLE_USERNAME,
      password: config.GUACAMOLE_PASSWORD,
      dataSource: config.GUACAMOLE_DATA_SOURCE,
      timeoutMs: config.GUACAMOLE_TIMEOUT_MS,
    }),
    labCredentialsKey: config.LAB_CREDENTIALS_KEY,
  };
}
