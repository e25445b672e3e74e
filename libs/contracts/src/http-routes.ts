import type { CommandName } from './topology.js';

/**
 * The HTTP routes of the commands (README, "How a Task runs"), each a POST on task-api. Declared once:
 * task-api serves exactly these, and the projection, the one origin of clients (README, "One
 * origin"), forwards exactly these to task-api and nothing else. Paths in Nest's (Express's) syntax.
 */
export const COMMAND_HTTP_ROUTES = {
  create: '/api/v1/tasks',
  retry: '/api/v1/tasks/:taskId/subtasks/:subTaskId/retry',
  skip: '/api/v1/tasks/:taskId/subtasks/:subTaskId/skip',
  cancel: '/api/v1/tasks/:taskId/cancel',
  pin: '/api/v1/tasks/:taskId/pin',
  unpin: '/api/v1/tasks/:taskId/unpin',
} as const satisfies Record<CommandName, string>;

/** The one method of every command route: a read is never a command. */
export const COMMAND_HTTP_METHOD = 'POST';
