import type { QueueName } from '@vle/contracts';
import { createBenchHandlers, type QueueHandlers } from '@vle/messaging';

/**
 * The handlers of integration-worker by queue and action (queues: mails, guacamole, moodle,
 * core_periodic, bench). Mail, Guacamole, Moodle and lab-event actions come with their issues; until
 * then a job for them fails at once with UNKNOWN_ACTION. `bench` exercises the pipeline itself.
 */
export function createHandlers(): Partial<Record<QueueName, QueueHandlers>> {
  return { bench: createBenchHandlers() };
}
