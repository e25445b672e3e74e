// What the lab-event jobs share: the OpenVLE core API they read events from, task-api they create
// child Tasks with, and the sending of a child Task's plan as a CreateTask with its idempotency key.

import type { CreateTaskJson, CreateTaskReplyJson } from '@vle/contracts';
import type { ChildTaskPlan, LabEvent } from '@vle/domain';
import type { OpenVleClient } from '@vle/integrations';
import { TaskRefused, type TaskCreator } from '@vle/task-client';
import { z } from 'zod';

export interface EventJobDeps {
  readonly openvle: OpenVleClient;
  readonly tasks: TaskCreator;
  /** DNS domain of the lab network (a VM is `<vm name>.<domain>`). */
  readonly vmDomain: string;
  /** The lifecycle's clock when its params name no slot time. */
  readonly now: () => Date;
}

/** What planEventDeploy and planEventArchive give the SubTask: the event, read from the core API when the job runs. */
export const EventParams = z.object({ eventId: z.number().int().positive() });

export interface Created {
  readonly created: number;
  readonly existing: number;
}

/**
 * Creates the child Tasks of `parentTaskId`, in order, each keyed by the event and its plan's key: a
 * redelivered job, or a second deploy of the same event (a person's and the lifecycle's), finds them
 * instead of cloning a second VM for a participant.
 */
export async function createChildren(deps: EventJobDeps, parentTaskId: string, event: LabEvent, plans: readonly ChildTaskPlan[]): Promise<Created> {
  let created = 0;
  for (const plan of plans) {
    if (await createOnce(deps, { ...commandOf(plan, event), originTaskId: parentTaskId, idempotencyKey: childKey(event.id, plan.key) })) created++;
  }
  return { created, existing: plans.length - created };
}

/** The idempotency key of an event's child Task (its creator is the worker's identity, service:integration-worker). */
export function childKey(eventId: number, planKey: string): string {
  return `event-${eventId}-${planKey}`;
}

/**
 * Creates a Task that must exist once per event, whichever job asks: keyed by the event. A key
 * already used with another body (another parent Task, or the event's data changed between runs)
 * also means it was created before.
 */
export async function createOnce(deps: EventJobDeps, command: CreateTaskJson): Promise<boolean> {
  try {
    const reply: CreateTaskReplyJson = await deps.tasks.create(command);
    return !reply.existing;
  } catch (error) {
    if (error instanceof TaskRefused && error.code === 'IDEMPOTENCY_KEY_REUSED') return false;
    throw error;
  }
}

export function commandOf(plan: ChildTaskPlan, event: LabEvent): CreateTaskJson {
  return {
    name: plan.name,
    eventId: String(event.id),
    objectType: plan.objectType,
    objectId: plan.objectId,
    subtasks: plan.subtasks.map((s) => ({
      key: s.key,
      name: s.name,
      action: s.action,
      queue: s.queue,
      objectType: s.objectType,
      objectId: s.objectId,
      params: s.params,
      dependsOn: s.dependsOn ? [...s.dependsOn] : undefined,
      bestEffort: s.bestEffort,
      timeoutSeconds: s.timeoutSeconds,
    })),
  };
}
