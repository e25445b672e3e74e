import { z } from 'zod';
import { httpVariables, integerVariable } from '@vle/service-kit';
import { parseApiTokens, type ApiToken } from './proxmox/api-token.js';

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

// The sandbox talks to nobody: it only simulates the external systems (DESIGN §9).
export const sandboxConfigSchema = z.object({
  ...httpVariables('sandbox'),
  /** USER@REALM!TOKENID=SECRET, comma-separated for several. */
  SANDBOX_PVE_TOKEN: pveTokensVariable,
  /** pveproxy delays every 401 by 3000 ms; the sandbox answers at once unless told otherwise. */
  SANDBOX_PVE_AUTH_DELAY_MS: integerVariable(0, 0, 10_000),
});

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
