// The permissions a token carries (claim `permissions`, a list of these names). The first two are the
// seed's; each write has its own, so that an OpenVLE role can see without acting, or retry without
// cancelling. Every route declares the one it needs (README, "Identity and permissions").

export const PERMISSIONS = {
  /** See Tasks: the list, one Task, its history. */
  tasks_read: 'see Tasks',
  /** See SubTasks: without it a Task's detail has no SubTasks and SubTask routes answer 403. */
  sub_tasks_read: 'see SubTasks',
  /** Create Tasks (HTTP POST /api/v1/tasks, NATS tasks.req.create / tasks.cmd.create). */
  tasks_create: 'create Tasks',
  /** Retry a failed SubTask. */
  sub_tasks_retry: 'retry SubTasks',
  /** Skip a SubTask. */
  sub_tasks_skip: 'skip SubTasks',
  /** Cancel a Task. */
  tasks_cancel: 'cancel Tasks',
  /** Pin and unpin a Task: the retention never deletes a pinned Task. */
  tasks_pin: 'pin and unpin Tasks',
  /**
   * Act for a user: a command may name another user in `createdBy` / `requestedBy` (OpenVLE's backend
   * creating a user's Task); the event records both, the user and the token's subject as its actor.
   */
  tasks_act_for_users: 'act for other users',
  /**
   * The internal commands of vle-tasks' own services: the scheduler's deadlines (NATS tasks.sys.*,
   * start, expire, time out a Task). Only the scheduler's identity carries it.
   */
  tasks_system: 'send the internal deadline commands',
  /**
   * Ask the projection for a retention run over NATS (projection.req.retention, the daily slot):
   * only the scheduler's identity needs it. An admin runs it over HTTP with tasks_admin.
   */
  tasks_retention: 'run the retention',
  /** Read the Proxmox inventory of the last node sync. */
  inventory_read: 'see the Proxmox inventory',
  /** Operators' routes: the projection's status and lag (and the admin routes later releases add). */
  tasks_admin: 'administer vle-tasks',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(name: string): name is Permission {
  return Object.hasOwn(PERMISSIONS, name);
}
