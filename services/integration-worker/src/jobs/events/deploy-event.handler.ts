// "Deploy event" (queue core_periodic): read the event from the OpenVLE core API and create its child
// Tasks: per participant clone VM -> start VM -> Guacamole connection -> access mail, and the event's
// Moodle course with every participant enrolled. The children run on their own queues; this job is
// done when they exist.

import { planCourseDeploy, planParticipantDeploy, type ChildTaskPlan } from '@vle/domain';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { createChildren, EventParams, type EventJobDeps } from './event-jobs.js';

export function createDeployEventHandler(deps: EventJobDeps): JobHandler {
  return defineHandler(EventParams, async ({ eventId }, job, context) => {
    // The event as the core API has it now; one it does not know fails the job at once (OPENVLE_404).
    const event = await deps.openvle.getEvent(eventId, context.signal);
    const course = planCourseDeploy(event);
    const plans: ChildTaskPlan[] = [...event.participants.map((p) => planParticipantDeploy(event, p, { vmDomain: deps.vmDomain })), ...(course ? [course] : [])];
    const { created, existing } = await createChildren(deps, job.taskId, event, plans);
    const what = `${event.participants.length} participant VM${event.participants.length === 1 ? '' : 's'}${course ? ' and the Moodle course' : ''}`;
    return { responseCode: 'OK', responseMessage: `event ${event.id} "${event.name}": ${plans.length} child Tasks for ${what} (${created} created, ${existing} already there)` };
  });
}
