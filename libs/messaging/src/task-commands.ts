import type { TaskCommand, TaskEvent } from '@vle/domain';

/** Where the runtime records what happened: the one command handler of the Task aggregate. */
export interface TaskCommands {
  handle(command: TaskCommand): Promise<{ readonly events: readonly TaskEvent[] }>;
}

export interface Logger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
