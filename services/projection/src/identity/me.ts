import type { Principal } from '@vle/auth';

/** GET /api/v1/me: the caller as the projection verified its token (what the admin UI shows and hides by). */
export interface MeView {
  /** The token's `sub`. */
  subject: string;
  /** The permissions this release knows that the token grants, sorted. */
  permissions: string[];
  /** The token's object scope (`vle_scope`); `{}`: every Task. */
  scope: { own?: true; events?: string[] };
  /** When the token expires (ISO 8601), if it says. */
  expiresAt?: string;
}

export function meOf(principal: Principal): MeView {
  const scope: MeView['scope'] = {};
  if (principal.scope.own === true) scope.own = true;
  if (principal.scope.events !== undefined) scope.events = [...principal.scope.events];
  return {
    subject: principal.subject,
    permissions: [...principal.permissions].sort(),
    scope,
    ...(principal.expiresAt === undefined ? {} : { expiresAt: new Date(principal.expiresAt).toISOString() }),
  };
}
