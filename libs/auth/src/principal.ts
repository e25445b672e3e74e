// Who a verified token says is calling, what they may do, and which Tasks they may see. A scope
// narrows every route the same way: a Task outside it does not exist for that caller (404), and a list
// holds only the Tasks inside it.

import type { Permission } from './permissions.js';

/**
 * The object scope of a token (claim `vle_scope`): every restriction given must hold. Empty: all Tasks.
 * `own`: only the Tasks it created (`createdBy` = the token's subject); `events`: only the Tasks of
 * these OpenVLE events.
 */
export interface TaskScope {
  readonly own?: boolean;
  readonly events?: readonly string[];
}

export interface Principal {
  /** The token's `sub`: the actor of every event this caller's commands append. */
  readonly subject: string;
  readonly permissions: ReadonlySet<Permission>;
  readonly scope: TaskScope;
  /** When the token expires (ms since the epoch), if it says. */
  readonly expiresAt?: number;
}

/** The fields of a Task a scope looks at. */
export interface ScopedTask {
  readonly createdBy: string;
  readonly eventId?: string | null;
}

export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission);
}

/** Who sees through a scope: the subject (for `own`) and the scope. */
export type ScopeHolder = Pick<Principal, 'subject' | 'scope'>;

/** Whether the caller may know that `task` exists. */
export function inScope(principal: ScopeHolder, task: ScopedTask): boolean {
  const { own, events } = principal.scope;
  if (own && task.createdBy !== principal.subject) return false;
  if (events && !(task.eventId && events.includes(task.eventId))) return false;
  return true;
}

export function isScoped(principal: ScopeHolder): boolean {
  return principal.scope.own === true || principal.scope.events !== undefined;
}
