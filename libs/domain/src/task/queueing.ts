// Queueing is decided with the events that make SubTasks ready: they are appended in the same
// commit as the SubTaskQueued facts, so that no crash can leave a ready SubTask unqueued.
//
// A commit carries at most MAX_QUEUED_BYTES_PER_COMMIT of them: a SubTask that 10,000 others wait
// on, or a fan-out of 10,000 starting, would otherwise make one commit over the log's limit. The
// SubTasks left ready stay so, and every later commit of the Task queues the next of them (every
// decision goes through here). That always comes: a commit that leaves some ready has queued others,
// and each of those makes commits of its own (its attempt, its outcome) until it ends.

import { jsonBytes } from './commit-size.js';
import type { SubTaskQueued, TaskEvent } from './events.js';
import { fact } from './fact.js';
import type { TaskState } from './state.js';
import { TaskFold } from './task-fold.js';

/**
 * Encoded bytes of the SubTaskQueued facts of one commit: a quarter of the log's commit limit
 * (libs/contracts MAX_COMMIT_BYTES, 1 MiB; a unit test keeps the two together), about 1,000 facts.
 */
export const MAX_QUEUED_BYTES_PER_COMMIT = 256 * 1024;

/** `events`, then a SubTaskQueued for the SubTasks they make ready, up to `maxBytes` of them (at least one). */
export function withQueueing(state: TaskState, events: TaskEvent[], maxBytes = MAX_QUEUED_BYTES_PER_COMMIT): TaskEvent[] {
  if (events.length === 0) return events;
  const fold = new TaskFold(state);
  for (const event of events) fold.apply(event);
  const ready = fold.runnable();
  if (ready.length === 0) return events;
  const last = events[events.length - 1]!;
  const queued: SubTaskQueued[] = [];
  let bytes = 0;
  for (const s of ready) {
    const event = fact<SubTaskQueued>(last, 'SubTaskQueued', { subTaskId: s.id, generation: s.generation + 1, queue: s.queue, action: s.action });
    bytes += jsonBytes(event) + 1;
    if (queued.length > 0 && bytes > maxBytes) break;
    queued.push(event);
  }
  return [...events, ...queued];
}
