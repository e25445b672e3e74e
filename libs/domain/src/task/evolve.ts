// evolve(state, event) -> state. Never throws: an event is a fact that already happened; one that
// does not fit the state (a bug elsewhere, or a log written by another version) leaves it unchanged.

import type { TaskEvent } from './events.js';
import type { TaskState } from './state.js';
import { TaskFold } from './task-fold.js';

export function evolve(state: TaskState, event: TaskEvent): TaskState {
  return new TaskFold(state).apply(event).result();
}

/**
 * The fold of several events (one commit, or all of a Task's history): exactly the state evolve
 * gives one event at a time, with the SubTask array copied once instead of once per event.
 */
export function evolveAll(state: TaskState, events: Iterable<TaskEvent>): TaskState {
  const fold = new TaskFold(state);
  for (const event of events) fold.apply(event);
  return fold.result();
}
