// Verifies the bearer tokens OpenVLE's backend issues (jose): the signature with a shared secret
// (HS256), a public key (RS256 or ES256, PEM) or the issuer's JWKS; `exp` and `nbf` (with a little
// clock tolerance), the issuer and the audience. Every refusal is an AuthError UNAUTHENTICATED whose
// message says what was wrong with the token, never what it held.

import { createRemoteJWKSet, errors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { AuthError } from './auth-error.js';
import { isPermission, type Permission } from './permissions.js';
import type { Principal, TaskScope } from './principal.js';

export type KeySource =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'public-key'; readonly pem: string; readonly algorithm: 'RS256' | 'ES256' }
  | { readonly kind: 'jwks'; readonly url: string };

export interface TokenVerifierOptions {
  readonly key: KeySource;
  readonly issuer: string;
  readonly audience: string;
  /** Seconds of clock skew allowed on exp and nbf (default 30). */
  readonly clockToleranceSeconds?: number;
}

/** The claim holding the permission names (a list, or one space-separated string). */
export const PERMISSIONS_CLAIM = 'permissions';
/** The claim holding the object scope (TaskScope). */
export const SCOPE_CLAIM = 'vle_scope';

/** Tokens whose signature and claims verified, kept at most this long (a key the issuer withdrew stops working by then). */
const VERIFIED_FOR_MS = 60_000;
/** And at most this many: the tokens of the services and clients sending now. */
const VERIFIED_MAX = 1024;

interface Verified {
  readonly principal: Principal;
  readonly notBefore?: number;
  readonly until: number;
}

export class TokenVerifier {
  private readonly key: Promise<Uint8Array | CryptoKey | JWTVerifyGetKey>;
  private readonly algorithms: string[];
  /**
   * A service or client sends the same token with many commands: its signature, issuer and audience
   * are checked once, its times (exp, nbf) at every use. Oldest first (a Map keeps insertion order).
   */
  private readonly verified = new Map<string, Verified>();

  constructor(private readonly options: TokenVerifierOptions) {
    const { key } = options;
    if (key.kind === 'secret') {
      // Imported once: jose imports a raw secret again at every verification otherwise.
      this.key = crypto.subtle.importKey('raw', new TextEncoder().encode(key.secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
      this.algorithms = ['HS256'];
    } else if (key.kind === 'public-key') {
      this.key = importSPKI(key.pem, key.algorithm);
      this.algorithms = [key.algorithm];
    } else {
      this.key = Promise.resolve(createRemoteJWKSet(new URL(key.url)));
      this.algorithms = ['RS256', 'ES256'];
    }
    // A key that does not import fails every verification; say why once, not per request.
    this.key.catch(() => undefined);
  }

  /**
   * The caller of a request, from its `Authorization` header. `at`: the time to check exp and nbf
   * against, now unless given (a durable command is checked at the time its stream stored it).
   */
  async fromAuthorization(header: string | undefined, at?: Date): Promise<Principal> {
    if (!header) throw AuthError.unauthenticated('no bearer token: send Authorization: Bearer <JWT>');
    const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
    if (!match) throw AuthError.unauthenticated('the Authorization header is not "Bearer <JWT>"');
    return this.verify(match[1]!, at);
  }

  async verify(token: string, at?: Date): Promise<Principal> {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && now < known.until) return this.checkTimes(known, at ?? new Date(now));
    let payload: JWTPayload;
    try {
      const key = await this.key;
      const options = { issuer: this.options.issuer, audience: this.options.audience, algorithms: this.algorithms, clockTolerance: this.options.clockToleranceSeconds ?? 30, ...(at ? { currentDate: at } : {}) };
      ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
    } catch (error) {
      if (keysUnavailable(error)) throw new KeysUnavailable();
      throw AuthError.unauthenticated(reasonOf(error, this.options));
    }
    const principal = principalOf(payload);
    this.remember(token, { principal, ...(typeof payload.nbf === 'number' ? { notBefore: payload.nbf * 1000 } : {}), until: now + VERIFIED_FOR_MS });
    return principal;
  }

  private remember(token: string, verified: Verified): void {
    this.verified.delete(token);
    this.verified.set(token, verified);
    if (this.verified.size > VERIFIED_MAX) this.verified.delete(this.verified.keys().next().value!);
  }

  /** exp and nbf of a token verified before, as jose checks them (with the same tolerance). */
  private checkTimes(known: Verified, at: Date): Principal {
    const tolerance = (this.options.clockToleranceSeconds ?? 30) * 1000;
    const { expiresAt } = known.principal;
    if (expiresAt !== undefined && at.getTime() - tolerance >= expiresAt) throw AuthError.unauthenticated('the token has expired');
    if (known.notBefore !== undefined && at.getTime() + tolerance < known.notBefore) throw AuthError.unauthenticated('the token is not valid yet (nbf)');
    return known.principal;
  }
}

/**
 * The issuer's keys could not be read (its JWKS endpoint is down, slow, or answers no key set): the
 * token may be fine, so this is no refusal. A request is answered 503 and asked again; a durable
 * command is delivered again instead of being dead-lettered as if its token were bad.
 */
export class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
  readonly code = 'AUTH_KEYS_UNAVAILABLE';

  constructor() {
    super('the issuer keys (JWKS) could not be read to verify the token; retry in a moment');
  }
}

function keysUnavailable(error: unknown): boolean {
  // Anything but jose's own errors is the fetch of the JWKS failing (a refused connection, DNS).
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError);
}

function reasonOf(error: unknown, options: TokenVerifierOptions): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf)';
    if (error.claim === 'iss') return `the token was not issued by ${options.issuer} (iss)`;
    if (error.claim === 'aud') return `the token is not meant for ${options.audience} (aud)`;
    return `the token's ${error.claim} claim is not valid: ${error.reason}`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'the token is signed with an algorithm this service does not accept';
  if (error instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches the token (kid)';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) return 'the token is not a valid JWT';
  return 'the token could not be verified';
}

function principalOf(payload: JWTPayload): Principal {
  if (typeof payload.sub !== 'string' || payload.sub.trim() === '') throw AuthError.unauthenticated('the token has no subject (sub)');
  return {
    subject: payload.sub,
    permissions: permissionsOf(payload[PERMISSIONS_CLAIM]),
    scope: scopeOf(payload[SCOPE_CLAIM]),
    ...(typeof payload.exp === 'number' ? { expiresAt: payload.exp * 1000 } : {}),
  };
}

/** Known names only: one this release does not know grants nothing. */
function permissionsOf(claim: unknown): ReadonlySet<Permission> {
  const names = typeof claim === 'string' ? claim.split(' ') : Array.isArray(claim) ? claim : [];
  return new Set(names.filter((n): n is Permission => typeof n === 'string' && isPermission(n)));
}

/** A scope claim that is not what it should be narrows to nothing rather than widening to everything. */
function scopeOf(claim: unknown): TaskScope {
  if (claim === undefined) return {};
  if (typeof claim !== 'object' || claim === null || Array.isArray(claim)) throw AuthError.unauthenticated(`the token's ${SCOPE_CLAIM} claim is not an object`);
  const { own, events } = claim as { own?: unknown; events?: unknown };
  if (own !== undefined && typeof own !== 'boolean') throw AuthError.unauthenticated(`the token's ${SCOPE_CLAIM}.own is not a boolean`);
  if (events !== undefined && !(Array.isArray(events) && events.every((e) => typeof e === 'string'))) throw AuthError.unauthenticated(`the token's ${SCOPE_CLAIM}.events is not a list of event ids`);
  return { ...(own ? { own: true } : {}), ...(events ? { events: events as string[] } : {}) };
}
