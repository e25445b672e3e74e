import type { QueueName } from '@vle/contracts';
import { createBenchHandlers, type QueueHandlers } from '@vle/messaging';
import { createArchiveEventHandler } from './events/archive-event.handler.js';
import { createDeployEventHandler } from './events/deploy-event.handler.js';
import { createEventLifecycleHandler } from './events/event-lifecycle.handler.js';
import type { EventJobDeps } from './events/event-jobs.js';
import { createGuacamoleHandlers, type GuacamoleJobDeps } from './guacamole/guacamole-jobs.js';
import { createLabAccessMailHandler, type LabAccess } from './lab-access-mail.handler.js';
import { createMailCleanupHandler } from './mail-cleanup.handler.js';
import { createMoodleHandlers, type MoodleJobDeps } from './moodle/moodle-jobs.js';
import { createSendMailHandler, type MailJobDeps } from './send-mail.handler.js';

export interface IntegrationHandlerDeps {
  /** The SMTP client and the mail log: queue `mails` and mail cleanup on `core_periodic`. */
  readonly mail: MailJobDeps;
  /** What the access mail tells a participant (the Guacamole URL, the derived password). */
  readonly labAccess: LabAccess;
  /** The Moodle client and the site's defaults: queue `moodle`. */
  readonly moodle: MoodleJobDeps;
  /** The Guacamole client and LAB_CREDENTIALS_KEY: queue `guacamole`. */
  readonly guacamole: GuacamoleJobDeps;
  /** The OpenVLE core API and task-api: the lab-event jobs on `core_periodic`. */
  readonly events: EventJobDeps;
  /** Run the `bench` queue (benchmarks and tests only: TASK_API_BENCH_QUEUE). */
  readonly benchQueue?: boolean;
}

/**
 * The handlers of integration-worker by queue and action (DESIGN §2: mails, guacamole, moodle,
 * core_periodic; `bench` exercises the pipeline itself).
 */
export function createHandlers(deps: IntegrationHandlerDeps): Partial<Record<QueueName, QueueHandlers>> {
  const { mail, labAccess, moodle, guacamole, events } = deps;
  return {
    ...(deps.benchQueue ? { bench: createBenchHandlers() } : {}),
    mails: { send: createSendMailHandler(mail), lab_access: createLabAccessMailHandler(mail, labAccess) },
    moodle: createMoodleHandlers(moodle),
    guacamole: createGuacamoleHandlers(guacamole),
    core_periodic: {
      mail_cleanup: createMailCleanupHandler(mail),
      deploy_event: createDeployEventHandler(events),
      archive_event: createArchiveEventHandler(events),
      event_lifecycle: createEventLifecycleHandler(events),
    },
  };
}
