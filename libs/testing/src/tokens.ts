// Bearer tokens for tests and the bench, signed with the published development secret that every
// service verifies with unless configured otherwise (@vle/auth development.ts).

import { headers, type MsgHdrs } from '@nats-io/transport-node';
import {
  ALL_PERMISSIONS,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  DEV_AUTH_JWT_SECRET,
  mintToken,
  SignedServiceToken,
  TokenVerifier,
  type Permission,
  type ServiceCredentials,
  type ServiceIdentity,
  type TaskScope,
} from '@vle/auth';

export interface TestTokenOptions {
  /** Default `test-admin`. */
  readonly subject?: string;
  /** Default every permission (an admin that may also act for users). */
  readonly permissions?: readonly Permission[];
  readonly scope?: TaskScope;
  /** Default one hour. */
  readonly expiresInSeconds?: number;
  readonly notBeforeSeconds?: number;
  readonly secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
}

export function testToken(options: TestTokenOptions = {}): Promise<string> {
  return mintToken({
    secret: options.secret ?? DEV_AUTH_JWT_SECRET,
    subject: options.subject ?? 'test-admin',
    permissions: options.permissions ?? ALL_PERMISSIONS,
    ...(options.scope ? { scope: options.scope } : {}),
    issuer: options.issuer ?? DEFAULT_ISSUER,
    audience: options.audience ?? DEFAULT_AUDIENCE,
    ...(options.expiresInSeconds === undefined ? {} : { expiresInSeconds: options.expiresInSeconds }),
    ...(options.notBeforeSeconds === undefined ? {} : { notBeforeSeconds: options.notBeforeSeconds }),
  });
}

/** `{ authorization: 'Bearer …' }` for fetch. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** The verifier every service uses unless configured otherwise: the development secret. */
export function testVerifier(): TokenVerifier {
  return new TokenVerifier({ key: { kind: 'secret', secret: DEV_AUTH_JWT_SECRET }, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
}

/** What a service signs its NATS commands with in development: `identity`, or an admin. */
export function testCredentials(identity: ServiceIdentity = { subject: 'test-admin', permissions: ALL_PERMISSIONS }): ServiceCredentials {
  return new SignedServiceToken(identity, { secret: DEV_AUTH_JWT_SECRET, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
}

/** The headers of a NATS command sent with `token`. */
export function natsBearer(token: string): MsgHdrs {
  const h = headers();
  h.set('Authorization', `Bearer ${token}`);
  return h;
}
