import type { TaskCommand } from './commands.js';
import { decide } from './decide.js';
import type { TaskEvent } from './events.js';
import { evolve, evolveAll } from './evolve.js';
import { initialState, type TaskState } from './state.js';

/** The Task aggregate as one value, for the command handler of libs/event-store. */
export const taskDecider = {
  decide: (command: TaskCommand, state: TaskState): TaskEvent[] => decide(command, state),
  evolve: (state: TaskState, event: TaskEvent): TaskState => evolve(state, event),
  /** The fold of a commit (or of a whole history) at once: the SubTask array copied once, not per event. */
  evolveAll: (state: TaskState, events: Iterable<TaskEvent>): TaskState => evolveAll(state, events),
  initialState,
  /** A creation is appended with expected sequence 0 without reading the log first (a new Task has none). */
  isCreation: (command: TaskCommand): boolean => command.type === 'CreateTask',
  /** A Task's size for the command handler's cache: about one unit per SubTask. */
  weigh: (state: TaskState): number => (state.status === 'absent' ? 1 : 1 + state.subtasks.length),
};
