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

/**
 * SubTasks of one Task, planned or explicit (an explicit DAG is also bounded by its proto rule, 1000).
 * A Task too large for one commit is created in parts (libs/domain create-task.ts).
 */
export const MAX_SUBTASKS_PER_TASK = 10_000;

/**
 * `dependsOn` entries of one Task: two per SubTask of the largest Task, so that a chain of 10,000
 * (9,999 edges) fits, and a join of them all beside it. Each edge is stored as a SubTask id (36
 * characters, however short the key) in the log, the read model and every cached state, and is
 * walked when the Task is validated and when its index is built: the bound is on that weight (some
 * 800 KB of ids at most), no longer on a single commit, since parts split a creation.
 */
export const MAX_DEPENDENCIES_PER_TASK = 2 * MAX_SUBTASKS_PER_TASK;

/** Largest commit of the event log (the server's max_payload): a commit over it is refused with 413. */
export const MAX_COMMIT_BYTES = MAX_EVENT_COMMIT_BYTES;

/**
 * The encoded size of one commit of a creation (TaskCreated or SubTasksPlanned, with the SubTaskQueued
 * facts of its commit), measured by the domain as it decides the parts. The quarter left of a
 * commit is room for what the domain does not measure: the headers (the event-type header names
 * each event of the commit, some 14 bytes per SubTaskQueued) and the publish overhead.
 */
export const MAX_CREATION_COMMIT_BYTES = (MAX_COMMIT_BYTES * 3) / 4;

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
