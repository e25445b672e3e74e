// Email cleanup (queue `core_periodic`): the mail log keeps MAIL_MAX_AGE_WEEKS of mail. Idempotent:
// a redelivery deletes what has aged since, usually nothing.

import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import type { MailJobDeps } from './send-mail.handler.js';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export function createMailCleanupHandler(deps: Pick<MailJobDeps, 'log' | 'now' | 'maxAgeWeeks'>): JobHandler {
  return defineHandler(z.object({}), async () => {
    const cutoff = new Date(deps.now().getTime() - deps.maxAgeWeeks * WEEK_MS);
    const deleted = await deps.log.deleteOlderThan(cutoff);
    return { responseCode: 'OK', responseMessage: `deleted ${deleted} mail${deleted === 1 ? '' : 's'} older than ${deps.maxAgeWeeks} week${deps.maxAgeWeeks === 1 ? '' : 's'} (before ${cutoff.toISOString()}) from the mail log` };
  });
}
