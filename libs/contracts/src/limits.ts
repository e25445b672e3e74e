// Bounds of an inbound command, checked before anything walks it recursively (issue 8): input a
// service cannot handle is refused at once with the limit it broke (400/413), never retried.

import type { Violation } from './errors.js';
import { MAX_EVENT_COMMIT_BYTES } from './topology.js';

/**
 * Deepest nesting of a command's JSON (objects and arrays, the message itself included). A
 * CreateTask's params start at level 4; protobuf-es refuses Struct values beyond 100 levels and
 * recursive walks overflow the stack a few thousand levels down, so the limit is far below both.
 */
export const MAX_JSON_DEPTH = 32;

/** SubTasks of one Task, planned or explicit (an explicit DAG is also bounded by its proto rule). */
export const MAX_SUBTASKS_PER_TASK = 2000;

/**
 * `dependsOn` entries of one Task. Every edge is stored as a SubTask id (36 characters, however short
 * the key), so dense dependencies are what blows a creation up past a commit.
 */
export const MAX_DEPENDENCIES_PER_TASK = 5000;

/** Largest commit of the event log (the server's max_payload): a creation over it is refused with 413. */
export const MAX_COMMIT_BYTES = MAX_EVENT_COMMIT_BYTES;

/**
 * The bound a Task's SubTasks break, if any: counted over the planned or explicit DAG before it is
 * decided, so that a creation too dense for one commit is refused by its field, not by the store.
 */
export function taskSizeViolation(subtasks: readonly { readonly dependsOn?: readonly string[] }[], field: string): Violation | undefined {
  if (subtasks.length > MAX_SUBTASKS_PER_TASK) return { field, message: `must have at most ${MAX_SUBTASKS_PER_TASK} SubTasks (has ${subtasks.length})` };
  let edges = 0;
  for (const subtask of subtasks) edges += subtask.dependsOn?.length ?? 0;
  if (edges > MAX_DEPENDENCIES_PER_TASK) return { field, message: `must have at most ${MAX_DEPENDENCIES_PER_TASK} dependencies in all (has ${edges})` };
  return undefined;
}
