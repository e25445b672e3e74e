// Typed commands (`vm.clone` with its params) are planned here into the SubTask DAG of their Task:
// pure functions of the params, so that HTTP and NATS callers, the scheduler and parent Tasks all
// get the same plan. The transport has already checked the params against task_types.proto; the
// plans check what a schema cannot (names Proxmox accepts, duplicate VMs).

import type { SubTaskDraft } from '../task/commands.js';
import type { JsonObject, ObjectType } from '../task/events.js';

/** A SubTask of a plan; the caller assigns its id (from the Task id and the key). */
export type PlannedDraft = Omit<SubTaskDraft, 'id'>;

export interface TaskPlan {
  /** The Task's name when the command gives none. */
  readonly name: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  /** The OpenVLE event the Task is about, when its params name one and the command does not. */
  readonly eventId?: string;
  readonly subtasks: readonly PlannedDraft[];
}

/** What a plan may use of the creating command besides its params. */
export interface PlanContext {
  readonly eventId?: string;
}

export type Planner<P> = (params: P, context: PlanContext) => TaskPlan;

/** Params as the transport decoded them: the proto JSON of the type's message (defaults omitted). */
export type PlanParams = JsonObject;
