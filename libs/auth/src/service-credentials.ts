// How a service of vle-tasks proves who it is when it sends a command over NATS (the scheduler's
// periodic Tasks and deadlines, the lab-event jobs' child Tasks): the `Authorization` header of the
// message, the same bearer token a person sends over HTTP. Two sources:
//  - a token file that OpenVLE's backend (or `npm run token`) issued for the service, read again
//    whenever it changes, so that a rotated token is picked up without a restart;
//  - where the service holds the shared HS256 secret (development, or a deployment that gives it the
//    secret), a token it signs for itself: its own subject and only the permissions it needs, short
//    lived and renewed before it expires.

import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { decodeJwt } from 'jose';
import { mintToken } from './mint-token.js';
import type { Permission } from './permissions.js';

export interface ServiceCredentials {
  /** Who the service is (the token's subject), for logs. */
  readonly subject: string;
  /** The value of the Authorization header: `Bearer <JWT>`. */
  authorization(): Promise<string>;
}

/** A service's own identity: its subject and what it may do. */
export interface ServiceIdentity {
  readonly subject: string;
  readonly permissions: readonly Permission[];
}

/**
 * The services of vle-tasks that send commands, each with only what it needs (README, "Identity
 * and permissions"): the scheduler creates the periodic Tasks and sends the deadlines; the lab-event
 * jobs of integration-worker create the child Tasks of an event.
 */
export const SERVICE_IDENTITIES = {
  scheduler: { subject: 'service:scheduler', permissions: ['tasks_create', 'tasks_system', 'tasks_retention'] },
  'integration-worker': { subject: 'service:integration-worker', permissions: ['tasks_create'] },
} as const satisfies Record<string, ServiceIdentity>;

export type ServiceWithIdentity = keyof typeof SERVICE_IDENTITIES;

export interface SigningOptions {
  readonly secret: string;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds a token is valid (default 900); a new one is signed when a third of that is left. */
  readonly lifetimeSeconds?: number;
}

export class SignedServiceToken implements ServiceCredentials {
  private current?: { readonly token: Promise<string>; readonly renewAt: number };

  constructor(
    private readonly identity: ServiceIdentity,
    private readonly options: SigningOptions,
  ) {}

  get subject(): string {
    return this.identity.subject;
  }

  async authorization(): Promise<string> {
    const now = Date.now();
    if (!this.current || now >= this.current.renewAt) {
      const lifetimeSeconds = this.options.lifetimeSeconds ?? 900;
      const { secret, issuer, audience } = this.options;
      this.current = { token: mintToken({ secret, issuer, audience, subject: this.identity.subject, permissions: this.identity.permissions, expiresInSeconds: lifetimeSeconds }), renewAt: now + (lifetimeSeconds * 1000 * 2) / 3 };
    }
    return `Bearer ${await this.current.token}`;
  }
}

export class ServiceTokenFileError extends Error {
  override readonly name = 'ServiceTokenFileError';
}

/** A token issued for the service, in a file (a Kubernetes Secret mounted as a volume). */
export class ServiceTokenFile implements ServiceCredentials {
  private cached: { readonly modifiedAt: number; readonly size: number; readonly token: string; readonly subject: string; readonly expiresAt?: number };

  /** Reads and checks the file at once: a missing, unreadable, malformed or expired token stops the service at boot. */
  constructor(
    private readonly path: string,
    now = Date.now(),
  ) {
    let info;
    let text;
    try {
      info = statSync(path);
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw unreadable(path, error);
    }
    this.cached = { modifiedAt: info.mtimeMs, size: info.size, ...tokenOf(text, path) };
    const { expiresAt } = this.cached;
    if (expiresAt !== undefined && expiresAt <= now) throw new ServiceTokenFileError(`the token in ${path} expired at ${new Date(expiresAt).toISOString()}`);
  }

  get subject(): string {
    return this.cached.subject;
  }

  async authorization(): Promise<string> {
    let info;
    try {
      info = await stat(this.path);
      if (this.cached.modifiedAt !== info.mtimeMs || this.cached.size !== info.size) {
        this.cached = { modifiedAt: info.mtimeMs, size: info.size, ...tokenOf(await readFile(this.path, 'utf8'), this.path) };
      }
    } catch (error) {
      throw error instanceof ServiceTokenFileError ? error : unreadable(this.path, error);
    }
    return `Bearer ${this.cached.token}`;
  }
}

function unreadable(path: string, error: unknown): ServiceTokenFileError {
  return new ServiceTokenFileError(`the service token file ${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
}

/** What a token the service cannot verify itself (only task-api holds the key) says of itself. */
function tokenOf(text: string, path: string): { token: string; subject: string; expiresAt?: number } {
  const token = text.trim();
  let claims;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new ServiceTokenFileError(`the service token file ${path} holds no JWT`);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new ServiceTokenFileError(`the token in ${path} has no subject (sub)`);
  return { token, subject: claims.sub, ...(typeof claims.exp === 'number' ? { expiresAt: claims.exp * 1000 } : {}) };
}
