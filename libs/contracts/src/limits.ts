// Bounds of an inbound command, checked before anything walks it recursively (issue 8): input a
// service cannot handle is refused at once with the limit it broke (400/413), never retried.

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
