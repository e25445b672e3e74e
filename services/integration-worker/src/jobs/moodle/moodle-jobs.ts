// What the Moodle handlers share: their deps (one client, the site's defaults), keeping a long call
// alive under the job's heartbeat and signal, and the errors a handler decides itself.

import type { MoodleClient } from '@vle/integrations';
import type { JobContext, QueueHandlers } from '@vle/messaging';
import { createDeployCourseHandler } from './deploy-course.handler.js';
import { createEnrolUserHandler } from './enrol-user.handler.js';

export interface MoodleJobDeps {
  readonly moodle: MoodleClient;
  /** The course duplicated for an event when the job names none. */
  readonly template: { readonly id: number } | { readonly shortname: string };
  readonly categoryId: number;
  readonly studentRoleId: number;
  /** How long a deploy waits for the restore of an earlier attempt (its course still hidden) before it retries. */
  readonly restoreWaitMs: number;
  /** How often that course is looked at; default 2 000. */
  readonly pollMs?: number;
  /** How often a long call heartbeats; default 10 000. */
  readonly heartbeatMs?: number;
}

/** The handlers of queue `moodle` by action. */
export function createMoodleHandlers(deps: MoodleJobDeps): QueueHandlers {
  return {
    deploy_course: createDeployCourseHandler(deps),
    enrol_user: createEnrolUserHandler(deps),
  };
}

export type JobSignals = Pick<JobContext, 'heartbeat' | 'signal'>;

/** Runs `work` (one long request) with a heartbeat every `everyMs`, so JetStream keeps the job ours. */
export async function heartbeating<T>(context: JobSignals, everyMs: number, work: () => Promise<T>): Promise<T> {
  context.heartbeat();
  const timer = setInterval(() => context.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}


/** An outcome the handler decides (not Moodle's own error): `permanent` is read by the job runtime. */
export function jobError(message: string, responseCode: string, permanent: boolean): Error {
  return Object.assign(new Error(message), { responseCode, permanent });
}
