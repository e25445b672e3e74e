// Permission sets of users (rest/permission/PermissionSetResource.java, APIPermissionSet): object
// permissions by identifier, system permissions as a list; a PATCH of `add`/`remove` operations on
// paths such as `/connectionPermissions/57`. Adding a permission a user has, or removing one they
// lack, changes nothing (the JDBC module skips existing rows).

import type { Patch } from './guac-body.js';
import { badRequest, notFound } from './guac-error.js';
import type { GuacLedger } from './guac-ledger.js';

export const OBJECT_SETS = ['connectionPermissions', 'connectionGroupPermissions', 'sharingProfilePermissions', 'activeConnectionPermissions', 'userPermissions', 'userGroupPermissions'] as const;
export type ObjectSet = (typeof OBJECT_SETS)[number];

const OBJECT_PERMISSIONS = ['READ', 'UPDATE', 'DELETE', 'ADMINISTER'];
const SYSTEM_PERMISSIONS = ['CREATE_USER', 'CREATE_USER_GROUP', 'CREATE_CONNECTION', 'CREATE_CONNECTION_GROUP', 'CREATE_SHARING_PROFILE', 'AUDIT', 'ADMINISTER'];

interface PermissionSet {
  objects: Record<ObjectSet, Map<string, Set<string>>>;
  system: Set<string>;
}

/** Whether an object a permission names exists (a grant on a missing one is refused). */
export interface Existence {
  connection(identifier: string): boolean;
  sharingProfile(identifier: string): boolean;
  user(username: string): boolean;
}

export class Permissions {
  private sets = new Map<string, PermissionSet>();

  constructor(
    private readonly ledger: GuacLedger,
    private readonly now: () => number,
    private readonly exists: Existence,
  ) {}

  reset(admin: string): void {
    this.sets = new Map();
    this.addUser(admin);
    this.sets.get(admin)!.system = new Set(SYSTEM_PERMISSIONS);
  }

  addUser(username: string): void {
    this.sets.set(username, { objects: Object.fromEntries(OBJECT_SETS.map((s) => [s, new Map()])) as PermissionSet['objects'], system: new Set() });
  }

  removeUser(username: string): void {
    const set = this.sets.get(username);
    if (set) for (const [path, value] of granted(set)) this.note('revoked', username, path, value, true);
    this.sets.delete(username);
    this.removeObject('userPermissions', username);
  }

  /** Every user's permissions on an object that is gone. */
  removeObject(kind: ObjectSet, identifier: string): void {
    for (const [username, set] of this.sets) {
      const values = set.objects[kind].get(identifier);
      if (!values) continue;
      for (const value of values) this.note('revoked', username, `/${kind}/${identifier}`, value, true);
      set.objects[kind].delete(identifier);
    }
  }

  isAdmin(username: string): boolean {
    return this.sets.get(username)?.system.has('ADMINISTER') ?? false;
  }

  view(username: string): Record<string, unknown> {
    const set = this.sets.get(username)!;
    const objects = Object.fromEntries(OBJECT_SETS.map((kind) => [kind, Object.fromEntries([...set.objects[kind]].map(([id, values]) => [id, [...values]]))]));
    return { ...objects, systemPermissions: [...set.system] };
  }

  all(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...this.sets.keys()].map((username) => [username, this.view(username)]));
  }

  /** Checks every operation first, then applies them all (a bad one changes nothing). */
  patch(username: string, patches: readonly Patch[]): void {
    const set = this.sets.get(username)!;
    const checked = patches.map((patch) => this.checked(patch));
    for (const { op, kind, identifier, value } of checked) {
      const values = kind === 'system' ? set.system : (set.objects[kind].get(identifier!) ?? new Set<string>());
      const path = kind === 'system' ? '/systemPermissions' : `/${kind}/${identifier}`;
      if (op === 'add' && !values.has(value)) {
        values.add(value);
        if (kind !== 'system') set.objects[kind].set(identifier!, values);
        this.note('granted', username, path, value, false);
      } else if (op === 'remove' && values.has(value)) {
        values.delete(value);
        if (kind !== 'system' && values.size === 0) set.objects[kind].delete(identifier!);
        this.note('revoked', username, path, value, false);
      }
    }
  }

  private checked(patch: Patch): { op: 'add' | 'remove'; kind: ObjectSet | 'system'; identifier?: string; value: string } {
    if (patch.op !== 'add' && patch.op !== 'remove') throw badRequest(`Unsupported patch operation: "${patch.op}"`);
    const value = patch.value ?? '';
    if (patch.path === '/systemPermissions') {
      if (!SYSTEM_PERMISSIONS.includes(value)) throw badRequest(`Invalid system permission: "${value}"`);
      return { op: patch.op, kind: 'system', value };
    }
    const match = /^\/([A-Za-z]+)\/(.+)$/.exec(patch.path);
    const kind = match?.[1] as ObjectSet | undefined;
    if (!match || !kind || !OBJECT_SETS.includes(kind)) throw badRequest(`Unsupported patch path: "${patch.path}"`);
    const identifier = decodeURIComponent(match[2]!);
    if (!OBJECT_PERMISSIONS.includes(value)) throw badRequest(`Invalid object permission: "${value}"`);
    const missing =
      (kind === 'connectionPermissions' && !this.exists.connection(identifier)) ||
      (kind === 'sharingProfilePermissions' && !this.exists.sharingProfile(identifier)) ||
      (kind === 'userPermissions' && !this.exists.user(identifier)) ||
      (kind === 'connectionGroupPermissions' && identifier !== 'ROOT');
    // Only an add needs the object: removing a permission on a missing one is a no-op.
    if (missing && patch.op === 'add') throw notFound(identifier);
    return { op: patch.op, kind, identifier, value };
  }

  private note(event: 'granted' | 'revoked', username: string, path: string, value: string, cascade: boolean): void {
    const identifier = path.split('/')[2] ?? 'system';
    this.ledger.record({ event, kind: 'permission', identifier, name: `${username} ${path} ${value}`, ...(cascade ? { cascade } : {}), at: new Date(this.now()).toISOString() });
  }
}

function granted(set: PermissionSet): [string, string][] {
  const out: [string, string][] = [];
  for (const kind of OBJECT_SETS) for (const [id, values] of set.objects[kind]) for (const value of values) out.push([`/${kind}/${id}`, value]);
  for (const value of set.system) out.push(['/systemPermissions', value]);
  return out;
}
