// "Archive event" (queue core_periodic): per participant, one child Task that deletes the Guacamole
// connection, then stops the VM, then deletes it: a step runs only after the one before succeeded.

import { planParticipantArchive } from '@vle/domain';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { createChildren, EventParams, type EventJobDeps } from './event-jobs.js';

export function createArchiveEventHandler(deps: EventJobDeps): JobHandler {
  return defineHandler(EventParams, async ({ eventId }, job, context) => {
    // The event as the core API has it now; one it does not know fails the job at once (OPENVLE_404).
    const event = await deps.openvle.getEvent(eventId, context.signal);
    const plans = event.participants.map((p) => planParticipantArchive(event, p));
    const { created, existing } = await createChildren(deps, job.taskId, event, plans);
    return { responseCode: 'OK', responseMessage: `event ${event.id} "${event.name}": ${plans.length} archive Tasks (${created} created, ${existing} already there)` };
  });
}
