// The two refusals of identity: 401 UNAUTHENTICATED (no usable token: missing, malformed, a bad
// signature, expired, not yet valid, another issuer or audience) and 403 FORBIDDEN (a valid token
// without the permission a route or a command needs, which the message names).

import type { Permission } from './permissions.js';

export type AuthErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN';

export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    /** The permission that was missing (FORBIDDEN), or the field that named someone else. */
    readonly permission?: Permission,
    readonly field?: string,
  ) {
    super(message);
  }

  get status(): 401 | 403 {
    return this.code === 'UNAUTHENTICATED' ? 401 : 403;
  }

  /** The contract's ErrorReply body. */
  toReply(): { code: AuthErrorCode; message: string; violations: { field: string; message: string }[] } {
    return { code: this.code, message: this.message, violations: this.field ? [{ field: this.field, message: this.message }] : [] };
  }

  static unauthenticated(message: string): AuthError {
    return new AuthError('UNAUTHENTICATED', message);
  }

  static missing(permission: Permission, what?: string): AuthError {
    return new AuthError('FORBIDDEN', `the token lacks the permission ${permission}${what ? ` (${what})` : ''}`, permission);
  }
}

export function isAuthError(error: unknown): error is AuthError {
  return error instanceof AuthError;
}
