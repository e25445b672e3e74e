// The kinds of caller of the identity matrices (identity.e2e.spec.ts over HTTP, identity-nats.e2e.spec.ts
// over NATS): each with the token it sends and the permissions that token grants.

import { ALL_PERMISSIONS, type Permission } from '@vle/auth';
import { testToken } from '@vle/testing';

export type Caller = 'none' | 'expired' | 'bad signature' | 'wrong audience' | 'read-only' | 'no sub_tasks_read' | 'out of scope' | 'admin' | 'service for a user';

export const CALLERS: readonly Caller[] = ['none', 'expired', 'bad signature', 'wrong audience', 'read-only', 'no sub_tasks_read', 'out of scope', 'admin', 'service for a user'];

export const READ: Permission[] = ['tasks_read', 'sub_tasks_read'];
export const WRITE: Permission[] = ['tasks_create', 'sub_tasks_retry', 'sub_tasks_skip', 'tasks_cancel'];

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
