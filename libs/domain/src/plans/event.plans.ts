// The lab-event commands. Each plans one SubTask on core_periodic whose job reads the event from the
// OpenVLE core API when it runs (the event's data may change until then) and creates the child Tasks
// that do the work (see event-children.ts).

import type { Planner, PlanParams, PlannedDraft } from './task-plan.js';

function eventIdOf(params: PlanParams): number {
  return params.eventId as number;
}

function oneStep(action: string, title: string): Planner<PlanParams> {
  return (params) => {
    const eventId = eventIdOf(params);
    const step: PlannedDraft = { key: action, name: `${title} event ${eventId}`, action, queue: 'core_periodic', objectType: 'event', objectId: String(eventId), params: { eventId } };
    return { name: `${title} event ${eventId}`, objectType: 'event', objectId: String(eventId), eventId: String(eventId), subtasks: [step] };
  };
}

export const planEventDeploy = oneStep('deploy_event', 'Deploy');
export const planEventArchive = oneStep('archive_event', 'Archive');

export const planEventLifecycle: Planner<PlanParams> = (params) => ({
  name: 'Event lifecycle',
  subtasks: [
    {
      key: 'lifecycle',
      name: 'Deploy starting events, archive ended events, send advance notifications',
      action: 'event_lifecycle',
      queue: 'core_periodic',
      params: {
        startPrepDays: typeof params.startPrepDays === 'number' ? params.startPrepDays : 0,
        endPrepDays: typeof params.endPrepDays === 'number' ? params.endPrepDays : 0,
        ...(typeof params.at === 'string' ? { at: params.at } : {}),
      },
    },
  ],
});
