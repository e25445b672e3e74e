// What a handler test passes where the job runtime would: a JobInput and the JobContext of one
// delivery. One helper, so that a field the runtime adds to JobContext is added here once, not in
// every handler test. `objectLog` keeps the SubTask's object across deliveries the way the Task's
// log does (reserveObject records it; the next delivery starts from it).

import { randomUUID } from 'node:crypto';
import type { ObjectType } from '@vle/domain';
import type { JobContext, JobInput } from '../job-handler.js';

type JobObject = JobContext['object'];

/** A job of `queue`/`action` with fresh ids; anything else from `fields`. */
export function jobInput(queue: string, action: string, params: Record<string, unknown> = {}, fields: Partial<JobInput> = {}): JobInput {
  return { taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue, action, params, ...fields };
}

/**
 * The JobContext of one delivery: attempt 1 (not the last), a signal that never aborts, no
 * dependencies, and a reserveObject that records nothing, unless `fields` says otherwise.
 */
export function jobContext(fields: Partial<JobContext> = {}): JobContext {
  return {
    attempt: 1,
    lastAttempt: false,
    signal: new AbortController().signal,
    object: {},
    reserveObject: async () => {},
    dependencies: [],
    ...fields,
  };
}

/** A SubTask's object as its log holds it across deliveries, and every VMID (or other id) a delivery reserved anew. */
export class ObjectLog {
  object: JobObject;
  readonly reservations: string[] = [];

  constructor(object: JobObject = {}) {
    this.object = { ...object };
  }

  /** The context of delivery `attempt`: it starts from the object the log holds now. */
  delivery(attempt: number, fields: Partial<JobContext> = {}): JobContext {
    return jobContext({
      attempt,
      object: { ...this.object },
      reserveObject: async (type: ObjectType, id: string) => {
        if (this.object.type !== type || this.object.id !== id) this.reservations.push(id);
        this.object = { type, id };
      },
      ...fields,
    });
  }
}
