// What a caller may see, from its token: the same rule as the list's and the detail's
// (tasks.controller.ts), for the routes of the export, the report and the stats.

import { can, type Principal } from '@vle/auth';
import type { Visibility } from './task.queries.js';

export function visibilityOfCaller(caller: Principal): Visibility {
  return { subject: caller.subject, scope: caller.scope, subTasks: can(caller, 'sub_tasks_read') };
}
