// Tokens signed with a shared secret (HS256), as OpenVLE's backend issues them: for development (npm
// run token, the admin token npm start prints), tests and the bench. Production verifies the
// backend's tokens; nothing in a service mints one.

import { SignJWT } from 'jose';
import type { Permission } from './permissions.js';
import type { TaskScope } from './principal.js';
import { PERMISSIONS_CLAIM, SCOPE_CLAIM } from './token-verifier.js';

export interface MintOptions {
  readonly secret: string;
  readonly subject: string;
  readonly permissions: readonly Permission[];
  readonly scope?: TaskScope;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds from now (default 3600); negative for a token that has expired already (tests). */
  readonly expiresInSeconds?: number;
  /** Seconds from now before which it is not valid (tests). */
  readonly notBeforeSeconds?: number;
}

export async function mintToken(options: MintOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { [PERMISSIONS_CLAIM]: [...options.permissions] };
  if (options.scope && (options.scope.own || options.scope.events)) claims[SCOPE_CLAIM] = options.scope;
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600));
  if (options.notBeforeSeconds !== undefined) jwt.setNotBefore(now + options.notBeforeSeconds);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
