// The simulators accept, unless told otherwise, exactly the published development credentials the
// services send by default (@vle/service-kit development-credentials.ts). Under NODE_ENV=production
// the sandbox, like the services, refuses to start with them: it then accepts only what it is given
// (docker-compose.yml gives it the services' own variables).

import { z } from 'zod';
import { DEV_GUACAMOLE_PASSWORD, DEV_OPENVLE_TOKEN, DEV_PVE_TOKEN_ID, DEV_PVE_TOKEN_SECRET, developmentCredential, httpVariables, integerVariable } from '@vle/service-kit';
import { parseApiTokens, type ApiToken } from './proxmox/api-token.js';
import { moodleSandboxVariables } from './moodle/moodle-config.js';

/** The API token the simulated Proxmox VE accepts when SANDBOX_PVE_TOKEN is unset: the vm workers' default. */
export const DEV_PVE_TOKEN = `${DEV_PVE_TOKEN_ID}=${DEV_PVE_TOKEN_SECRET}`;

const pveTokensVariable = developmentCredential(
  z
    .string()
    .optional()
    .transform((raw, ctx): ApiToken[] => {
      try {
        return parseApiTokens(raw ?? DEV_PVE_TOKEN);
      } catch (error) {
        // The message names the expected shape, never the value: it is a secret.
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  'secret of the Proxmox API token',
  (raw) => raw.split(',').some((entry) => entry.trim().endsWith(`=${DEV_PVE_TOKEN_SECRET}`)),
);

// The sandbox talks to nobody: it only simulates the external systems (DESIGN §9).
export const sandboxConfigSchema = z.object({
  ...httpVariables('sandbox'),
  /** `production`: the development credentials are refused, and the sandbox warns that it is one. */
  NODE_ENV: z.string().optional(),
  /** USER@REALM!TOKENID=SECRET, comma-separated for several. */
  SANDBOX_PVE_TOKEN: pveTokensVariable,
  /** pveproxy delays every 401 by 3000 ms; the sandbox answers at once unless told otherwise. */
  SANDBOX_PVE_AUTH_DELAY_MS: integerVariable(0, 0, 10_000),
  ...moodleSandboxVariables,
  /** The SMTP sink (DESIGN §12: 127.0.0.1:2525); 0 lets the OS choose a free port (tests). */
  SANDBOX_SMTP_PORT: integerVariable(2525, 0, 65_535),
  /** Interface of the SMTP sink; HOST unless set. */
  SANDBOX_SMTP_HOST: z.string().min(1).optional(),
  /** The key of the simulated OpenVLE core API (`Authorization: Token <key>`); a published development key. */
  SANDBOX_OPENVLE_TOKEN: developmentCredential(
    z.string().regex(/^[A-Za-z0-9]{20,64}$/, 'must be 20 to 64 letters and digits').default(DEV_OPENVLE_TOKEN),
    'OpenVLE API key',
    DEV_OPENVLE_TOKEN,
  ),
  /** The password of the simulated Guacamole's administrator `guacadmin`; a published development password. */
  SANDBOX_GUACAMOLE_PASSWORD: developmentCredential(z.string().min(1).default(DEV_GUACAMOLE_PASSWORD), 'Guacamole password', DEV_GUACAMOLE_PASSWORD),
});

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
