// What the projection's leader tells the replicas serving live streams after each batch it committed
// (core NATS, topology.liveChangesSubject): which Tasks changed, up to which stream sequence, and how
// each looked to a filter before the batch. A replica reads the rows as they are now; the state before
// is what lets it tell a client that a Task it showed no longer matches.

import type { Task } from '@vle/domain';
import type { FilterTask } from '../query/filter/fields.js';

export interface LiveChange {
  readonly taskId: string;
  /** The Task's last stream sequence after the batch. */
  readonly lastSeq: number;
  /** The Task before the batch, as the filters see it; absent when the batch created it. */
  readonly before?: FilterTask;
  /**
   * The Task existed before the batch but its state was too big to send (a Task of thousands of
   * SubTasks): a replica tells every client in its scope that does not show it now that it left.
   */
  readonly beforeUnknown?: true;
}

export interface LiveChanges {
  /** The checkpoint before the batch: a replica that saw `seq` of the message before has no gap. */
  readonly from: number;
  /** The checkpoint after the batch: a client that has seen this has seen every change before it. */
  readonly seq: number;
  readonly changes: readonly LiveChange[];
}

const ms = (iso: string | undefined) => (iso === undefined ? null : Date.parse(iso));

/** A folded Task as the filters see it (the same fields the read model's rows give filterTaskOf). */
export function filterTaskOfState(task: Task): FilterTask {
  return {
    id: task.id,
    name: task.name,
    status: task.status,
    type: task.type ?? null,
    createdBy: task.createdBy,
    eventId: task.eventId ?? null,
    originTaskId: task.originTaskId ?? null,
    objectType: task.objectType ?? null,
    objectId: task.objectId ?? null,
    createdAt: Date.parse(task.createdAt),
    updatedAt: Date.parse(task.updatedAt),
    startedAt: ms(task.startedAt),
    finishedAt: ms(task.finishedAt),
    subtasks: task.subtasks.map((s) => ({
      queue: s.queue,
      action: s.action,
      status: s.status,
      responseCode: s.responseCode ?? null,
      responseMessage: s.responseMessage ?? null,
      objectType: s.objectType ?? null,
      objectId: s.objectId ?? null,
    })),
  };
}

/** Changes per message at most: a batch of many Tasks is sent in parts. */
export const CHANGES_PER_MESSAGE = 200;

/** The most bytes of one message's changes, well under NATS' max_payload (1 MiB by default). */
export const MESSAGE_BYTES = 256 * 1024;
