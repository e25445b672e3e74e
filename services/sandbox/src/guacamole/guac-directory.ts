// The simulated Guacamole's data (extensions/guacamole-auth-jdbc): users, connections in the ROOT
// group, sharing profiles and permissions, with the JDBC module's rules (unique names, numeric
// identifiers, cascades) and its messages. Plain TypeScript; guac-api.ts routes requests to it.

import { attributes, optionalString, record, stringMap, type Attributes, type Patch, type StringMap } from './guac-body.js';
import { badRequest, invalidCredentials, notFound } from './guac-error.js';
import { GuacLedger, type GuacLedgerView, type GuacObjectKind } from './guac-ledger.js';
import { Permissions } from './guac-permissions.js';
import { parameterProblem, SHARING_PARAMETERS } from './guac-protocols.js';

interface UserRecord {
  readonly username: string;
  password: string;
  attributes: Attributes;
  lastActive?: number;
}

interface ConnectionRecord {
  readonly identifier: string;
  name: string;
  parentIdentifier: string;
  protocol: string;
  parameters: StringMap;
  attributes: Attributes;
}

interface SharingProfileRecord {
  readonly identifier: string;
  name: string;
  primaryConnectionIdentifier: string;
  parameters: StringMap;
  attributes: Attributes;
}

export const ROOT = 'ROOT';
export const ADMIN_USERNAME = 'guacadmin';

export class GuacDirectory {
  private users = new Map<string, UserRecord>();
  private connections = new Map<string, ConnectionRecord>();
  private profiles = new Map<string, SharingProfileRecord>();
  private nextConnection = 1;
  private nextProfile = 1;
  readonly permissions: Permissions;
  private readonly ledgerOf = new GuacLedger();

  constructor(
    private readonly adminPassword: string,
    private readonly now: () => number = Date.now,
  ) {
    this.permissions = new Permissions(this.ledgerOf, now, {
      connection: (id) => this.connections.has(id),
      sharingProfile: (id) => this.profiles.has(id),
      user: (username) => this.users.has(username),
    });
    this.reset();
  }

  /** Back to a fresh installation: guacadmin (with every system permission) and nothing else. */
  reset(): void {
    this.users = new Map([[ADMIN_USERNAME, { username: ADMIN_USERNAME, password: this.adminPassword, attributes: {} }]]);
    this.connections = new Map();
    this.profiles = new Map();
    this.nextConnection = 1;
    this.nextProfile = 1;
    this.permissions.reset(ADMIN_USERNAME);
    this.ledgerOf.clear();
  }

  // --- authentication ---

  /** The user a username/password pair logs in as; 403 INVALID_CREDENTIALS otherwise. */
  authenticate(username: string | undefined, password: string | undefined): string {
    const user = username === undefined ? undefined : this.users.get(username);
    if (!user || password === undefined || user.password !== password || user.attributes.disabled === 'true') throw invalidCredentials();
    user.lastActive = this.now();
    return user.username;
  }

  isAdmin(username: string): boolean {
    return this.permissions.isAdmin(username);
  }

  // --- users ---

  listUsers(): Record<string, unknown> {
    return Object.fromEntries([...this.users.values()].map((u) => [u.username, userView(u)]));
  }

  getUser(username: string): Record<string, unknown> {
    return userView(this.user(username));
  }

  createUser(body: unknown): Record<string, unknown> {
    const fields = record(body, 'user');
    const username = optionalString(fields, 'username')?.trim();
    if (!username) throw badRequest('The username must not be blank.');
    if (this.users.has(username)) throw badRequest(`User "${username}" already exists.`);
    const user: UserRecord = { username, password: optionalString(fields, 'password') ?? '', attributes: checkedUserAttributes(attributes(fields)) };
    this.users.set(username, user);
    this.permissions.addUser(username);
    this.record('created', 'user', username, username);
    return userView(user);
  }

  updateUser(username: string, body: unknown): void {
    const user = this.user(username);
    const fields = record(body, 'user');
    const renamed = optionalString(fields, 'username');
    if (renamed !== undefined && renamed !== username) throw badRequest('Username in path does not match username provided JSON data.');
    const password = optionalString(fields, 'password');
    if (password !== undefined) user.password = password;
    user.attributes = checkedUserAttributes(attributes(fields));
  }

  deleteUser(username: string): void {
    this.user(username);
    if (username === ADMIN_USERNAME) throw badRequest('Users may not delete their own accounts.');
    this.users.delete(username);
    this.permissions.removeUser(username);
    this.record('deleted', 'user', username, username);
  }

  // --- connections ---

  listConnections(): Record<string, unknown> {
    return Object.fromEntries([...this.connections.values()].map((c) => [c.identifier, connectionView(c)]));
  }

  getConnection(identifier: string): Record<string, unknown> {
    return connectionView(this.connection(identifier));
  }

  connectionParameters(identifier: string): StringMap {
    return { ...this.connection(identifier).parameters };
  }

  createConnection(body: unknown): Record<string, unknown> {
    const connection = this.checkedConnection(record(body, 'connection'), String(this.nextConnection));
    this.nextConnection += 1;
    this.connections.set(connection.identifier, connection);
    this.record('created', 'connection', connection.identifier, connection.name);
    return { ...connectionView(connection), parameters: { ...connection.parameters } };
  }

  updateConnection(identifier: string, body: unknown): void {
    this.connection(identifier);
    this.connections.set(identifier, this.checkedConnection(record(body, 'connection'), identifier));
  }

  /** Its sharing profiles go with it, and every permission on either (foreign keys ON DELETE CASCADE). */
  deleteConnection(identifier: string): void {
    const connection = this.connection(identifier);
    for (const profile of [...this.profiles.values()].filter((p) => p.primaryConnectionIdentifier === identifier)) this.removeProfile(profile, true);
    this.connections.delete(identifier);
    this.permissions.removeObject('connectionPermissions', identifier);
    this.record('deleted', 'connection', identifier, connection.name);
  }

  // --- sharing profiles ---

  listSharingProfiles(): Record<string, unknown> {
    return Object.fromEntries([...this.profiles.values()].map((p) => [p.identifier, profileView(p)]));
  }

  getSharingProfile(identifier: string): Record<string, unknown> {
    return profileView(this.profile(identifier));
  }

  sharingProfileParameters(identifier: string): StringMap {
    return { ...this.profile(identifier).parameters };
  }

  createSharingProfile(body: unknown): Record<string, unknown> {
    const profile = this.checkedProfile(record(body, 'sharing profile'), String(this.nextProfile));
    this.nextProfile += 1;
    this.profiles.set(profile.identifier, profile);
    this.record('created', 'sharingProfile', profile.identifier, profile.name);
    return { ...profileView(profile), parameters: { ...profile.parameters } };
  }

  updateSharingProfile(identifier: string, body: unknown): void {
    this.profile(identifier);
    this.profiles.set(identifier, this.checkedProfile(record(body, 'sharing profile'), identifier));
  }

  deleteSharingProfile(identifier: string): void {
    this.removeProfile(this.profile(identifier), false);
  }

  // --- permissions ---

  getPermissions(username: string): Record<string, unknown> {
    this.user(username);
    return this.permissions.view(username);
  }

  patchPermissions(username: string, patches: readonly Patch[]): void {
    this.user(username);
    this.permissions.patch(username, patches);
  }

  // --- the control API's views (never a password) ---

  state() {
    return {
      users: [...this.users.values()].map((u) => ({ ...userView(u), admin: this.isAdmin(u.username) })),
      connections: [...this.connections.values()].map((c) => ({ ...connectionView(c), parameters: withoutPassword(c.parameters) })),
      sharingProfiles: [...this.profiles.values()].map((p) => ({ ...profileView(p), parameters: { ...p.parameters } })),
      permissions: this.permissions.all(),
    };
  }

  ledger(): GuacLedgerView {
    return this.ledgerOf.view();
  }

  private user(username: string): UserRecord {
    const user = this.users.get(username);
    if (!user) throw notFound(username);
    return user;
  }

  private connection(identifier: string): ConnectionRecord {
    const connection = this.connections.get(identifier);
    if (!connection) throw notFound(identifier);
    return connection;
  }

  private profile(identifier: string): SharingProfileRecord {
    const profile = this.profiles.get(identifier);
    if (!profile) throw notFound(identifier);
    return profile;
  }

  private checkedConnection(fields: Record<string, unknown>, identifier: string): ConnectionRecord {
    const name = optionalString(fields, 'name')?.trim();
    if (!name) throw badRequest('Connection names must not be blank.');
    const parentIdentifier = optionalString(fields, 'parentIdentifier') ?? ROOT;
    if (parentIdentifier !== ROOT) throw badRequest(`Parent connection group "${parentIdentifier}" does not exist.`);
    const taken = [...this.connections.values()].some((c) => c.identifier !== identifier && c.parentIdentifier === parentIdentifier && c.name === name);
    if (taken) throw badRequest(`The connection "${name}" already exists.`);
    const protocol = optionalString(fields, 'protocol') ?? '';
    if (!protocol) throw badRequest('Connection protocol must not be blank.');
    const parameters = stringMap(fields, 'parameters');
    const problem = parameterProblem(protocol, parameters);
    if (problem) throw badRequest(problem);
    return { identifier, name, parentIdentifier, protocol, parameters, attributes: attributes(fields) };
  }

  private checkedProfile(fields: Record<string, unknown>, identifier: string): SharingProfileRecord {
    const name = optionalString(fields, 'name')?.trim();
    if (!name) throw badRequest('Sharing profile names must not be blank.');
    const primary = optionalString(fields, 'primaryConnectionIdentifier');
    if (!primary) throw badRequest('Sharing profiles must be associated with a connection.');
    if (!this.connections.has(primary)) throw notFound(primary);
    const taken = [...this.profiles.values()].some((p) => p.identifier !== identifier && p.primaryConnectionIdentifier === primary && p.name === name);
    if (taken) throw badRequest(`The sharing profile "${name}" already exists.`);
    const parameters = stringMap(fields, 'parameters');
    const problem = parameterProblem('sharing profile', parameters, SHARING_PARAMETERS);
    if (problem) throw badRequest(problem);
    return { identifier, name, primaryConnectionIdentifier: primary, parameters, attributes: attributes(fields) };
  }

  private removeProfile(profile: SharingProfileRecord, cascade: boolean): void {
    this.profiles.delete(profile.identifier);
    this.permissions.removeObject('sharingProfilePermissions', profile.identifier);
    this.record('deleted', 'sharingProfile', profile.identifier, profile.name, cascade);
  }

  private record(event: 'created' | 'deleted', kind: GuacObjectKind, identifier: string, name: string, cascade = false): void {
    this.ledgerOf.record({ event, kind, identifier, name, ...(cascade ? { cascade } : {}), at: new Date(this.now()).toISOString() });
  }
}

// The JDBC module's date attributes are YYYY-MM-DD (or empty: not set).
const DATE_ATTRIBUTES = ['valid-from', 'valid-until', 'access-window-start', 'access-window-end'];

function checkedUserAttributes(attrs: Attributes): Attributes {
  for (const name of DATE_ATTRIBUTES.slice(0, 2)) {
    const value = attrs[name];
    if (value && !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw badRequest(`Invalid date for attribute "${name}": "${value}" (expected YYYY-MM-DD).`);
  }
  return attrs;
}

function userView(user: UserRecord): Record<string, unknown> {
  return { username: user.username, attributes: { ...user.attributes }, ...(user.lastActive === undefined ? {} : { lastActive: user.lastActive }) };
}

function connectionView(c: ConnectionRecord): Record<string, unknown> {
  return { name: c.name, identifier: c.identifier, parentIdentifier: c.parentIdentifier, protocol: c.protocol, attributes: { ...c.attributes }, activeConnections: 0 };
}

function profileView(p: SharingProfileRecord): Record<string, unknown> {
  return { name: p.name, identifier: p.identifier, primaryConnectionIdentifier: p.primaryConnectionIdentifier, attributes: { ...p.attributes } };
}

function withoutPassword(parameters: StringMap): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, name === 'password' ? '********' : value]));
}
