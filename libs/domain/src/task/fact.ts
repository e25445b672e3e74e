import type { TaskCommand } from './commands.js';
import type { TaskEvent } from './events.js';

export type Envelope = Pick<TaskCommand, 'taskId' | 'at' | 'actor' | 'onBehalfOf'>;

/** An event decided on `command` (or on the last event of a decision): its Task, time, actor and the user it acted for. */
export function fact<E extends TaskEvent>(command: Envelope, type: E['type'], data: E['data']): E {
  const { taskId, at, actor, onBehalfOf } = command;
  return (onBehalfOf === undefined ? { type, version: 1, taskId, at, actor, data } : { type, version: 1, taskId, at, actor, onBehalfOf, data }) as E;
}
