// The sandbox's settings of its Moodle simulator (spread into sandboxConfigSchema).

import { z } from 'zod';
import { DEV_MOODLE_TOKEN, developmentCredential, integerVariable } from '@vle/service-kit';

export const moodleSandboxVariables = {
  /**
   * Tokens Moodle accepts (wstoken), comma-separated for several; Moodle's are 32 letters and digits.
   * Unset: the published development token integration-worker sends by default.
   */
  SANDBOX_MOODLE_TOKEN: developmentCredential(
    z
      .string()
      .optional()
      .transform((raw, ctx): string[] => {
        const tokens = (raw ?? DEV_MOODLE_TOKEN).split(',').map((t) => t.trim());
        // The message names the expected shape, never the value: it is a secret.
        if (tokens.some((t) => !/^[A-Za-z0-9]{8,128}$/.test(t))) {
          ctx.addIssue({ code: 'custom', message: 'must be tokens of letters and digits (PARAM_ALPHANUM), comma-separated' });
          return z.NEVER;
        }
        return tokens;
      }),
    'Moodle web service token',
    (raw) => raw.split(',').some((token) => token.trim() === DEV_MOODLE_TOKEN),
  ),
  /** How long core_course_duplicate_course takes; the request answers when it is done. */
  SANDBOX_MOODLE_DUPLICATE_MS: integerVariable(500, 0, 600_000),
  /** 1: Moodle's debugging on, error answers carry `debuginfo`. */
  SANDBOX_MOODLE_DEBUG: integerVariable(0, 0, 1),
};

export type MoodleSandboxConfig = z.output<z.ZodObject<typeof moodleSandboxVariables>>;
