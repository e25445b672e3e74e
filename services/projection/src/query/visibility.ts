// What a caller may see, from its token (README, "Identity and permissions"): the one rule of every
// read route (the list, the detail, the live stream, the export, the report, the stats).

import { can, type Principal } from '@vle/auth';
import type { Visibility } from './task.queries.js';

export function visibilityOfCaller(caller: Principal): Visibility {
  return { subject: caller.subject, scope: caller.scope, subTasks: can(caller, 'sub_tasks_read') };
}
