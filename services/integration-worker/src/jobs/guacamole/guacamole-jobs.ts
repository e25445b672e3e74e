// What the Guacamole handlers share: their dependencies, the names they give the objects they make,
// and "create, or find what an earlier attempt (or a parallel SubTask) made".

import { isGuacamoleError, type GuacamoleClient } from '@vle/integrations';
import type { QueueHandlers } from '@vle/messaging';
import { createCleanupHandler } from './cleanup.handler.js';
import { createProvisionHandler } from './provision.handler.js';

export interface GuacamoleJobDeps {
  readonly guacamole: GuacamoleClient;
  /** LAB_CREDENTIALS_KEY: the participants' and VMs' passwords are derived from it when a job runs. */
  readonly labCredentialsKey: string;
}

/** The handlers of queue `guacamole`, by action. */
export function createGuacamoleHandlers(deps: GuacamoleJobDeps): QueueHandlers {
  return { provision: createProvisionHandler(deps), cleanup: createCleanupHandler(deps) };
}

/** The read-only sharing profile of a connection (unique per connection). */
export const viewProfileName = (connectionName: string): string => `${connectionName}-view`;

export type Made<T> = { readonly object: T; readonly how: 'created' | 'found' };

/**
 * The object `find` sees, or the one `create` makes. A create refused with "already exists" lost a
 * race (another SubTask of the same user, or this one's earlier attempt whose answer was lost after
 * the lookup) and is answered by looking again.
 */
export async function findOrCreate<T>(find: () => Promise<T | undefined>, create: () => Promise<T>): Promise<Made<T>> {
  const existing = await find();
  if (existing) return { object: existing, how: 'found' };
  try {
    return { object: await create(), how: 'created' };
  } catch (error) {
    if (!(isGuacamoleError(error) && error.kind === 'exists')) throw error;
    const raced = await find();
    if (!raced) throw error;
    return { object: raced, how: 'found' };
  }
}

/** A delete that counts "not there" (404) as done: true when this call removed it. */
export async function deleteIfPresent(remove: () => Promise<void>): Promise<boolean> {
  try {
    await remove();
    return true;
  } catch (error) {
    if (isGuacamoleError(error) && error.kind === 'not_found') return false;
    throw error;
  }
}
