// What the identity matrices share (identity.e2e.spec.ts over HTTP, identity-nats.e2e.spec.ts over
// NATS): the kinds of caller, each with the token it sends and the permissions that token grants,
// and the fixture Tasks the writes aim at.

import { ALL_PERMISSIONS, type Permission } from '@vle/auth';
import { testToken, waitFor } from '@vle/testing';
import type { System } from './system.js';

export type Caller = 'none' | 'expired' | 'bad signature' | 'wrong audience' | 'read-only' | 'no sub_tasks_read' | 'out of scope' | 'admin' | 'service for a user';

export const CALLERS: readonly Caller[] = ['none', 'expired', 'bad signature', 'wrong audience', 'read-only', 'no sub_tasks_read', 'out of scope', 'admin', 'service for a user'];

export const READ: Permission[] = ['tasks_read', 'sub_tasks_read'];
export const WRITE: Permission[] = ['tasks_create', 'sub_tasks_retry', 'sub_tasks_skip', 'tasks_cancel', 'tasks_pin'];

/** The callers whose token is refused whatever it carries: 401 UNAUTHENTICATED. */
export const UNAUTHENTICATED_CALLERS: readonly Caller[] = ['none', 'expired', 'bad signature', 'wrong audience'];

/** The out-of-scope caller's events: none of the fixtures belongs to it. */
export const OUT_OF_SCOPE_EVENTS = ['999'];

export const GRANTED: Record<Caller, readonly Permission[]> = {
  none: [],
  expired: [],
  'bad signature': [],
  'wrong audience': [],
  'read-only': READ,
  'no sub_tasks_read': ['tasks_read'],
  // Every permission but acting for others, scoped to an event none of the fixtures belongs to.
  'out of scope': ALL_PERMISSIONS.filter((p) => p !== 'tasks_act_for_users'),
  admin: ALL_PERMISSIONS,
  'service for a user': [...READ, ...WRITE, 'tasks_act_for_users'],
};

export async function tokenOf(caller: Caller): Promise<string | undefined> {
  switch (caller) {
    case 'none':
      return undefined;
    case 'expired':
      return testToken({ subject: 'carol', permissions: ALL_PERMISSIONS, expiresInSeconds: -3600 });
    case 'bad signature':
      return testToken({ subject: 'mallory', permissions: ALL_PERMISSIONS, secret: 'not-the-secret-the-services-verify-with' });
    case 'wrong audience':
      return testToken({ subject: 'carol', permissions: ALL_PERMISSIONS, audience: 'another-service' });
    case 'read-only':
      return testToken({ subject: 'reader', permissions: GRANTED[caller] });
    case 'no sub_tasks_read':
      return testToken({ subject: 'viewer', permissions: GRANTED[caller] });
    case 'out of scope':
      return testToken({ subject: 'scoped', permissions: GRANTED[caller], scope: { events: OUT_OF_SCOPE_EVENTS } });
    case 'admin':
      return testToken({ subject: 'admin', permissions: GRANTED[caller] });
    case 'service for a user':
      return testToken({ subject: 'openvle-backend', permissions: GRANTED[caller] });
  }
}

export interface IdentityFixtures {
  /** Alice's Task of event 42: a SubTask failed for good, and one blocked behind it. */
  readonly failedTask: { readonly taskId: string; readonly bad: string; readonly next: string };
  /** Bob's Task, finished. */
  readonly bobsTask: string;
}

/** Creates the fixtures and waits until they are in their states, in the log and the read model. */
export async function createIdentityFixtures(system: System): Promise<IdentityFixtures> {
  const created = await system.post('/api/v1/tasks', {
    name: 'identity fixture',
    createdBy: 'alice',
    eventId: '42',
    subtasks: [
      { key: 'bad', name: 'Bad', action: 'fail', queue: 'bench', params: { permanent: true } },
      { key: 'next', name: 'Next', action: 'noop', queue: 'bench', dependsOn: ['bad'] },
    ],
  });
  if (created.status !== 201) throw new Error(`the fixture was not created: ${JSON.stringify(created.body)}`);
  const failedTask = { taskId: created.body.taskId, bad: created.body.subTaskIds.bad, next: created.body.subTaskIds.next };
  const bob = await system.post('/api/v1/tasks', { name: 'bob fixture', createdBy: 'bob', subtasks: [{ key: 'ok', name: 'Ok', action: 'noop', queue: 'bench' }] });
  const bobsTask: string = bob.body.taskId;
  await waitFor(async () => (await system.task(failedTask.taskId)).subtasks[0]!.status === 'failed' || undefined, { description: 'the fixture SubTask to fail' });
  await system.finished(bobsTask);
  await waitFor(async () => (await system.query(`/api/v1/tasks/${bobsTask}`)).body.status === 'success' || undefined, { description: 'the fixtures projected' });
  return { failedTask, bobsTask };
}
