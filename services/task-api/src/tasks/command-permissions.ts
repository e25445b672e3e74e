// The permission each command needs, over HTTP (the routes' @RequirePermission) and NATS (the
// command intake) alike: one table, so that the two transports cannot disagree.

import type { Permission } from '@vle/auth';
import type { CommandName, SystemCommandName } from '@vle/contracts';

export const COMMAND_PERMISSIONS = {
  create: 'tasks_create',
  retry: 'sub_tasks_retry',
  skip: 'sub_tasks_skip',
  cancel: 'tasks_cancel',
  pin: 'tasks_pin',
  unpin: 'tasks_pin',
  start: 'tasks_system',
  'expire-start': 'tasks_system',
  'time-out': 'tasks_system',
} as const satisfies Record<CommandName | SystemCommandName, Permission>;
