// The JSON shapes of the Guacamole REST API (guacamole-client rest/**: APIUser, APIConnection,
// APISharingProfile, APIPermissionSet, APIPatch), as far as vle-tasks uses them.

export type GuacamoleProtocol = 'rdp' | 'vnc';

/** Attribute values are strings; null (or '') means "not set". */
export type GuacamoleAttributes = Readonly<Record<string, string | null>>;

export interface GuacamoleUser {
  readonly username: string;
  readonly attributes: GuacamoleAttributes;
  /** Milliseconds since the epoch of the last login, when known. */
  readonly lastActive?: number;
}

export interface NewGuacamoleUser {
  readonly username: string;
  readonly password: string;
  /** e.g. `guac-full-name`, `valid-until` (YYYY-MM-DD), `disabled`, `expired`. */
  readonly attributes?: GuacamoleAttributes;
}

export interface GuacamoleConnection {
  /** A numeric string in the JDBC data sources. */
  readonly identifier: string;
  readonly name: string;
  readonly parentIdentifier: string;
  readonly protocol: string;
  readonly attributes: GuacamoleAttributes;
  readonly activeConnections?: number;
}

export interface NewGuacamoleConnection {
  readonly name: string;
  /** Default ROOT. */
  readonly parentIdentifier?: string;
  readonly protocol: GuacamoleProtocol;
  /** protocols/rdp.json, vnc.json: hostname, port, username, password, security, ignore-cert, ... */
  readonly parameters: Readonly<Record<string, string>>;
  readonly attributes?: GuacamoleAttributes;
}

export interface GuacamoleSharingProfile {
  readonly identifier: string;
  readonly name: string;
  readonly primaryConnectionIdentifier: string;
  readonly attributes: GuacamoleAttributes;
}

export interface NewGuacamoleSharingProfile {
  readonly name: string;
  readonly primaryConnectionIdentifier: string;
  /** `read-only: 'true'` for a view-only share. */
  readonly parameters?: Readonly<Record<string, string>>;
  readonly attributes?: GuacamoleAttributes;
}

export type GuacamoleObjectPermission = 'READ' | 'UPDATE' | 'DELETE' | 'ADMINISTER';

/** One operation of a permissions PATCH (permission/PermissionSetResource.java). */
export interface GuacamolePermissionPatch {
  readonly op: 'add' | 'remove';
  /** `/connectionPermissions/57`, `/sharingProfilePermissions/12`, `/userPermissions/<name>`, `/systemPermissions`, ... */
  readonly path: string;
  readonly value: string;
}

export interface GuacamolePermissions {
  readonly connectionPermissions: Readonly<Record<string, readonly string[]>>;
  readonly connectionGroupPermissions: Readonly<Record<string, readonly string[]>>;
  readonly sharingProfilePermissions: Readonly<Record<string, readonly string[]>>;
  readonly activeConnectionPermissions: Readonly<Record<string, readonly string[]>>;
  readonly userPermissions: Readonly<Record<string, readonly string[]>>;
  readonly userGroupPermissions: Readonly<Record<string, readonly string[]>>;
  readonly systemPermissions: readonly string[];
}

/** The answer of POST /api/tokens (APIAuthenticationResult). */
export interface GuacamoleAuthResult {
  readonly authToken: string;
  readonly username: string;
  readonly dataSource: string;
  readonly availableDataSources: readonly string[];
}
