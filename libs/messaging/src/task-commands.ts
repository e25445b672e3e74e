import type { TaskCommand, TaskEvent, TaskState } from '@vle/domain';

/** Where the runtime records what happened: the one command handler of the Task aggregate. */
export interface TaskCommands {
  /** The events appended ([] when already applied) and the Task's state after them. */
  handle(command: TaskCommand): Promise<{ readonly events: readonly TaskEvent[]; readonly state: TaskState }>;
}

export interface Logger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Printed at LOG_LEVEL=debug only: a line per job attempt. */
  debug?(message: string): void;
}
