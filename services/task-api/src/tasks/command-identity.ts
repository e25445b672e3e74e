// Who a command is from (README, "Identity and permissions"). Over HTTP the token's subject acts: a
// body that names someone else in createdBy / requestedBy is refused, unless the token may act for
// users (OpenVLE's backend creating a user's Task), and then the event records both, the service as
// its actor and the user it acted for. A scoped token acts only inside its scope.
// Every command has a verified caller: HTTP's bearer token, or the Authorization header of a NATS
// command (command-intake.ts).

import { AuthError, can, inScope, isScoped, type Principal } from '@vle/auth';
import { exists, RuleViolation, type TaskState } from '@vle/domain';

export interface CommandIdentity {
  /** The events' actor: the token's subject. */
  readonly actor: string;
  /** The user the command is for: createdBy of a creation. */
  readonly user: string;
  /** Set when a service acts for another user. */
  readonly onBehalfOf?: string;
}

export function identityOf(caller: Principal, named: string, field: 'createdBy' | 'requestedBy'): CommandIdentity {
  const { subject } = caller;
  if (named === '' || named === subject) return { actor: subject, user: subject };
  if (caller.scope.own) throw new AuthError('FORBIDDEN', `${field} names ${named}, but the token is scoped to its own Tasks`, undefined, field);
  if (!can(caller, 'tasks_act_for_users')) {
    throw new AuthError('FORBIDDEN', `${field} names ${named}, not the token's subject ${subject}: acting for another user needs the permission tasks_act_for_users`, 'tasks_act_for_users', field);
  }
  return { actor: subject, user: named, onBehalfOf: named };
}

/** A creation of a scoped caller stays in its scope: its event among the token's events. */
export function checkCreationScope(caller: Principal, eventId: string | undefined): void {
  const events = caller.scope.events;
  if (events && !(eventId && events.includes(eventId))) {
    throw new AuthError('FORBIDDEN', `the token may only create Tasks of the events ${events.join(', ') || '(none)'}`, undefined, 'eventId');
  }
}

/**
 * A Task outside the caller's scope does not exist for it: the same refusal as a Task that does not.
 * The Task is read only for a scoped caller.
 */
export async function checkTaskScope(caller: Principal, taskId: string, load: () => Promise<TaskState>): Promise<void> {
  if (!isScoped(caller)) return;
  const state = await load();
  if (!exists(state) || !inScope(caller, { createdBy: state.createdBy, eventId: state.eventId })) {
    throw new RuleViolation('TASK_NOT_FOUND', `Task ${taskId} does not exist`, 'taskId');
  }
}
