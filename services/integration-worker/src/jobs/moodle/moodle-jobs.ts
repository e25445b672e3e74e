// What the Moodle handlers share: their deps (one client, the site's defaults). A long call needs
// nothing here: the job runtime heartbeats the attempt; a failure a handler decides is a JobFailureError.

import type { MoodleClient } from '@vle/integrations';
import type { QueueHandlers } from '@vle/messaging';
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
}

/** The handlers of queue `moodle` by action. */
export function createMoodleHandlers(deps: MoodleJobDeps): QueueHandlers {
  return {
    deploy_course: createDeployCourseHandler(deps),
    enrol_user: createEnrolUserHandler(deps),
  };
}
