// The variables of integration-worker's Moodle queue (`moodle`), spread into its config schema. The
// defaults reach the sandbox's Moodle simulator with its development token, so that `npm start`
// works on a laptop; a real site sets MOODLE_URL and MOODLE_TOKEN (production refuses the
// development token, @vle/service-kit development-credentials.ts). MOODLE_TOKEN is never logged
// (its key is a secret key for the logger's redaction, and the client keeps it out of its errors).

import { z } from 'zod';
import { MoodleClient } from '@vle/integrations';
import { DEV_MOODLE_TOKEN, developmentCredential, integerVariable } from '@vle/service-kit';
import type { MoodleJobDeps } from './moodle-jobs.js';

function checked(fallback: string | undefined, message: string, check: (raw: string) => boolean) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string | undefined => {
      if (raw === undefined) return fallback;
      if (!check(raw.trim())) {
        ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
      return raw.trim();
    });
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

export const moodleVariables = {
  /** The site's URL, without /webservice/rest/server.php. */
  MOODLE_URL: checked('http://127.0.0.1:3009/moodle', 'must be an http:// or https:// URL', isHttpUrl).transform((url) => url!.replace(/\/+$/, '')),
  /** A web service token of a user allowed the functions of libs/integrations' Moodle client. */
  MOODLE_TOKEN: developmentCredential(
    checked(DEV_MOODLE_TOKEN, 'must be a Moodle web service token (letters and digits)', (raw) => /^[A-Za-z0-9]+$/.test(raw)).transform((t) => t!),
    'Moodle web service token',
    DEV_MOODLE_TOKEN,
  ),
  /** Upper bound of one request (lookups, users, enrolments). */
  MOODLE_TIMEOUT_MS: integerVariable(30_000, 100, 600_000),
  /** Upper bound of core_course_duplicate_course, which backs up and restores inside the request. */
  MOODLE_DUPLICATE_TIMEOUT_MS: integerVariable(600_000, 100, 3_600_000),
  /** The role enrolled users get (Moodle's `student` is 5 on a standard site). */
  MOODLE_STUDENT_ROLE_ID: integerVariable(5, 1, 1_000_000),
  /** The course duplicated for an event unless the command names one (the sandbox's TPL-LAB is 2). */
  MOODLE_TEMPLATE_COURSE_ID: integerVariable(2, 1, 2_147_483_647),
  /** The template's shortname instead of its id: looked up at run time, wins over MOODLE_TEMPLATE_COURSE_ID. */
  MOODLE_TEMPLATE_SHORTNAME: checked(undefined, 'must not be blank', (raw) => raw !== ''),
  /** The category of new courses unless the command names one (the sandbox's "Lab events" is 2). */
  MOODLE_CATEGORY_ID: integerVariable(2, 1, 2_147_483_647),
};

export type MoodleConfig = z.output<z.ZodObject<typeof moodleVariables>>;

/** The Moodle client and defaults of the `moodle` handlers, made once at boot. */
export function createMoodleJobDeps(config: MoodleConfig): MoodleJobDeps {
  return {
    moodle: new MoodleClient({ baseUrl: config.MOODLE_URL, token: config.MOODLE_TOKEN, timeoutMs: config.MOODLE_TIMEOUT_MS, duplicateTimeoutMs: config.MOODLE_DUPLICATE_TIMEOUT_MS }),
    template: config.MOODLE_TEMPLATE_SHORTNAME === undefined ? { id: config.MOODLE_TEMPLATE_COURSE_ID } : { shortname: config.MOODLE_TEMPLATE_SHORTNAME },
    categoryId: config.MOODLE_CATEGORY_ID,
    studentRoleId: config.MOODLE_STUDENT_ROLE_ID,
    restoreWaitMs: config.MOODLE_DUPLICATE_TIMEOUT_MS,
  };
}
