// "Event lifecycle" (daily, queue core_periodic): deploy the events that start within
// EVENTS_START_PREP_TIME_DAYS (and send their participants the advance notice), archive those that
// ended EVENTS_END_PREP_TIME_DAYS ago. Each of those Tasks is keyed by the event, so however many
// runs see an event, it is deployed, noticed and archived once.

import { planAdvanceNotice } from '@vle/domain';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';
import { commandOf, createOnce, type EventJobDeps } from './event-jobs.js';

const DAY_MS = 24 * 3600_000;
/** How far back a run still catches an event it missed (the scheduler was down, the event was entered late). */
const MISSED_MS = 7 * DAY_MS;

const days = z.number().int().min(0).default(0);

/** What planEventLifecycle gives the SubTask; `at` is the scheduler's slot time (absent: the job's clock). */
const EventLifecycleParams = z.object({
  startPrepDays: days,
  endPrepDays: days,
  at: z
    .string()
    .refine((at) => !Number.isNaN(Date.parse(at)), 'must be an RFC 3339 time')
    .optional(),
});

export function createEventLifecycleHandler(deps: EventJobDeps): JobHandler {
  return defineHandler(EventLifecycleParams, async (params, _job, context) => {
    const at = params.at === undefined ? deps.now() : new Date(params.at);
    const { startPrepDays, endPrepDays } = params;
    // Starting soon, or started lately and not over (entered late, or a run was missed).
    const starting = (await deps.openvle.listEvents({ startsFrom: new Date(at.getTime() - MISSED_MS), startsTo: new Date(at.getTime() + startPrepDays * DAY_MS) }, context.signal)).filter(
      (event) => Date.parse(event.endsAt) > at.getTime(),
    );
    const archiveBefore = new Date(at.getTime() - endPrepDays * DAY_MS);
    const ended = await deps.openvle.listEvents({ endsFrom: new Date(archiveBefore.getTime() - MISSED_MS), endsTo: archiveBefore }, context.signal);
    let deployed = 0;
    let noticed = 0;
    let archived = 0;
    for (const event of starting) {
      const eventId = String(event.id);
      if (await createOnce(deps, { type: 'event.deploy', name: `Deploy event ${event.id}`, eventId, idempotencyKey: `event-${event.id}-deploy`, params: { eventId: event.id } })) deployed++;
      const notice = planAdvanceNotice(event);
      if (notice && (await createOnce(deps, { ...commandOf(notice, event), idempotencyKey: `event-${event.id}-notice` }))) noticed++;
    }
    for (const event of ended) {
      if (await createOnce(deps, { type: 'event.archive', name: `Archive event ${event.id}`, eventId: String(event.id), idempotencyKey: `event-${event.id}-archive`, params: { eventId: event.id } })) archived++;
    }
    return {
      responseCode: 'OK',
      responseMessage: `at ${at.toISOString()}: ${starting.length} starting (${deployed} deploys and ${noticed} notices created), ${ended.length} ended (${archived} archives created)`,
    };
  });
}
