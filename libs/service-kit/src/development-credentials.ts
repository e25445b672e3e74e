// The published development credentials (README, "Development credentials"): what the services send
// to Proxmox, Moodle, Guacamole and OpenVLE when nothing is configured, and what the sandbox's
// simulators of those systems accept, so that `npm start` and the tests work on a laptop. Each value
// is declared here once, for both sides, so that they cannot drift apart. They are public and open
// nothing real: under NODE_ENV=production loadConfig refuses every variable declared with
// developmentCredential() that is unset or holds one of them. (The development JWT secret is
// @vle/auth's DEV_AUTH_JWT_SECRET, refused by tokenVerifierOptionsOf: a JWKS may stand in for it.)

import { z } from 'zod';
import type { ConfigProblem, Environment } from './config.js';

/** The Proxmox VE API token of the vm workers (PVE_TOKEN_ID, PVE_TOKEN_SECRET). */
export const DEV_PVE_TOKEN_ID = 'vle@pve!tasks';
export const DEV_PVE_TOKEN_SECRET = '5f0c1f7e-6b0e-4c7a-9a51-7d0c6a1e2b3c';

/** Moodle's web service token (MOODLE_TOKEN): 32 letters and digits, like Moodle's. */
export const DEV_MOODLE_TOKEN = '8c1f3e0a5b7d4c2e9f6a1b3d5e7c9a0b';

/** The password of Guacamole's administrator `guacadmin` (GUACAMOLE_PASSWORD). */
export const DEV_GUACAMOLE_PASSWORD = 'guacadmin-dev-only';

/** The OpenVLE core API key (OPENVLE_TOKEN, `Authorization: Token <key>`). */
export const DEV_OPENVLE_TOKEN = '9c1f0e7d3b5a4c2e8f6d0b1a7c3e5f9d2b4a6c8e';

/** The key the lab passwords are derived from (LAB_CREDENTIALS_KEY): they open the sandbox's accounts only. */
export const DEV_LAB_CREDENTIALS_KEY = 'vle-tasks-development-only-lab-credentials-key';

interface DevelopmentCredential {
  /** What the published value is, for the message: "Moodle web service token". */
  readonly what: string;
  /** Whether a configured value is (or, for a list, holds) the published one. */
  readonly isPublished: (raw: string) => boolean;
}

const developmentCredentials = z.registry<DevelopmentCredential>();

/**
 * Declares `variable`, whose default is a published development credential, as one that production
 * refuses: `published` is that value, or a test of a raw value (a list that holds it).
 */
export function developmentCredential<T extends z.ZodType>(variable: T, what: string, published: string | ((raw: string) => boolean)): T {
  const isPublished = typeof published === 'string' ? (raw: string) => raw.trim() === published : published;
  developmentCredentials.add(variable, { what, isPublished });
  return variable;
}

/**
 * Under NODE_ENV=production, a problem for each development credential of `schema` that is unset
 * (its published default would apply) or set to the published value. Names the variable, never a value.
 */
export function refusedDevelopmentCredentials(schema: z.ZodType, env: Environment): ConfigProblem[] {
  if (env.NODE_ENV !== 'production') return [];
  return Object.entries(variablesOf(schema)).flatMap(([variable, field]): ConfigProblem[] => {
    const credential = developmentCredentials.get(field);
    if (!credential) return [];
    const raw = env[variable];
    if (raw === undefined) return [{ variable, message: `is required when NODE_ENV=production (its default is the published development ${credential.what})` }];
    if (credential.isPublished(raw)) return [{ variable, message: `is the published development ${credential.what}, refused when NODE_ENV=production` }];
    return [];
  });
}

// A schema transformed as a whole (`z.object({...}).transform(...)`) keeps its variables in its input:
// a refusal must not vanish with a later .transform().
function variablesOf(schema: z.ZodType): Record<string, z.ZodType> {
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, z.ZodType>;
  if (schema instanceof z.ZodPipe) return variablesOf(schema.in as z.ZodType);
  return {};
}
