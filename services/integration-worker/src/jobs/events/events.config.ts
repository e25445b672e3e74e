// The variables of the lab-event jobs (queue core_periodic) and of the participants' access mail,
// spread into integration-worker's config schema. The defaults reach the sandbox's OpenVLE core API
// with its development key, so that `npm start` works on a laptop (production refuses that key,
// @vle/service-kit development-credentials.ts).

import { z } from 'zod';
import { OpenVleClient } from '@vle/integrations';
import { DEV_OPENVLE_TOKEN, developmentCredential, integerVariable } from '@vle/service-kit';

const httpUrl = z
  .string()
  .refine((raw) => {
    try {
      const url = new URL(raw.trim());
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL')
  .transform((raw) => raw.trim().replace(/\/+$/, ''));

export const eventVariables = {
  /** The OpenVLE core API, without /api/v1. */
  OPENVLE_URL: httpUrl.default('http://127.0.0.1:3009/openvle'),
  /** Its REST token (`Authorization: Token <key>`); never logged. */
  OPENVLE_TOKEN: developmentCredential(z.string().regex(/^\S+$/, 'must be the API token (no spaces)').default(DEV_OPENVLE_TOKEN), 'OpenVLE API key', DEV_OPENVLE_TOKEN),
  OPENVLE_TIMEOUT_MS: integerVariable(15_000, 100, 600_000),
  /** DNS domain of the lab network: a participant's VM is reached as `<vm name>.<domain>`. */
  LAB_VM_DOMAIN: z
    .string()
    .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i, 'must be a DNS domain such as lab.example.org')
    .default('lab.openvle.local'),
  /** Where participants open Guacamole in their browser (the access mail); GUACAMOLE_URL when unset. */
  GUACAMOLE_PUBLIC_URL: httpUrl.optional(),
};

export type EventConfig = z.output<z.ZodObject<typeof eventVariables>>;

export function createOpenVleClient(config: EventConfig): OpenVleClient {
  return new OpenVleClient({ baseUrl: config.OPENVLE_URL, token: config.OPENVLE_TOKEN, timeoutMs: config.OPENVLE_TIMEOUT_MS });
}
