import type { TaskCommand } from './commands.js';
import type { TaskEvent } from './events.js';

export type Envelope = Pick<TaskCommand, 'taskId' | 'at' | 'actor'>;

/** An event decided on `command` (or on the last event of a decision): its Task, time and actor. */
export function fact<E extends TaskEvent>(command: Envelope, type: E['type'], data: E['data']): E {
  return { type, version: 1, taskId: command.taskId, at: command.at, actor: command.actor, data } as E;
}
