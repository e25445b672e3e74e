import { z } from 'zod';
import { httpVariables, integerVariable } from '@vle/service-kit';
import { parseApiTokens, type ApiToken } from './proxmox/api-token.js';
import { moodleSandboxVariables } from './moodle/moodle-config.js';

/**
 * The API token the simulated Proxmox VE accepts when SANDBOX_PVE_TOKEN is unset. A development token
 * for the sandbox only, published on purpose (README); it opens nothing real.
 */
export const DEV_PVE_TOKEN = 'vle@pve!tasks=5f0c1f7e-6b0e-4c7a-9a51-7d0c6a1e2b3c';

const pveTokensVariable = z
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
  });

/** The OpenVLE core API key the sandbox accepts when SANDBOX_OPENVLE_TOKEN is unset (development only). */
export const DEV_OPENVLE_TOKEN = '9c1f0e7d3b5a4c2e8f6d0b1a7c3e5f9d2b4a6c8e';

/** The password of the simulated Guacamole's `guacadmin` when SANDBOX_GUACAMOLE_PASSWORD is unset (development only). */
export const DEV_GUACAMOLE_PASSWORD = 'guacadmin-dev-only';

// The sandbox talks to nobody: it only simulates the external systems (DESIGN §9).
export const sandboxConfigSchema = z.object({
  ...httpVariables('sandbox'),
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
  SANDBOX_OPENVLE_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9]{20,64}$/, 'must be 20 to 64 letters and digits')
    .default(DEV_OPENVLE_TOKEN),
  /** The password of the simulated Guacamole's administrator `guacadmin`; a published development password. */
  SANDBOX_GUACAMOLE_PASSWORD: z.string().min(1).default(DEV_GUACAMOLE_PASSWORD),
});

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
