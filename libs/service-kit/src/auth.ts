// Identity on HTTP (README, "Identity and permissions"): one guard decides every request of a service.
// A route says what it needs with @RequirePermission(name), @PublicRoute() (health only), or
// @ForwardedRoute(service) (a proxy of another service's route, which checks the token itself); a
// route that says nothing is refused, so nothing is served by omission. The guard verifies the bearer token
// (TokenVerifier of @vle/auth), refuses 401 UNAUTHENTICATED (with WWW-Authenticate) or 403 FORBIDDEN
// naming the missing permission, and hands the caller to the handler (@Caller()).

import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createParamDecorator, HttpException, Inject, Injectable, Optional, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { z } from 'zod';
import {
  AuthError,
  can,
  DEFAULT_AUDIENCE,
  DEFAULT_ISSUER,
  DEV_AUTH_JWT_SECRET,
  KeysUnavailable,
  ServiceTokenFile,
  ServiceTokenFileError,
  SignedServiceToken,
  TokenVerifier,
  type KeySource,
  type Permission,
  type Principal,
  type ServiceCredentials,
  type ServiceIdentity,
  type TokenVerifierOptions,
} from '@vle/auth';
import { ConfigError } from './config.js';

export const authVariables = {
  /** HS256: the secret shared with OpenVLE's backend (at least 32 characters). */
  AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** RS256 / ES256: the issuer's public key, a PEM file (SPKI). */
  AUTH_JWT_PUBLIC_KEY_FILE: z.string().min(1).optional(),
  /** The algorithm of AUTH_JWT_PUBLIC_KEY_FILE. */
  AUTH_JWT_ALGORITHM: z.enum(['RS256', 'ES256']).default('RS256'),
  /** RS256 / ES256: the issuer's JWKS (keys picked by `kid`, fetched and cached by jose). */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  AUTH_ISSUER: z.string().min(1).default(DEFAULT_ISSUER),
  AUTH_AUDIENCE: z.string().min(1).default(DEFAULT_AUDIENCE),
  /** `production` refuses the published development secret. */
  NODE_ENV: z.string().optional(),
};

export type AuthConfig = z.output<z.ZodObject<typeof authVariables>>;

/**
 * How this service verifies tokens: exactly one of the secret, the public key file and the JWKS URL;
 * none outside production means the published development secret. Throws a ConfigError naming the
 * variables.
 */
export function tokenVerifierOptionsOf(config: AuthConfig): TokenVerifierOptions {
  const given = (['AUTH_JWT_SECRET', 'AUTH_JWT_PUBLIC_KEY_FILE', 'AUTH_JWKS_URL'] as const).filter((name) => config[name] !== undefined);
  if (given.length > 1) throw new ConfigError(given.map((variable) => ({ variable, message: `only one of ${given.join(', ')} may be set` })));
  const production = config.NODE_ENV === 'production';
  let key: KeySource;
  if (config.AUTH_JWT_PUBLIC_KEY_FILE) {
    key = { kind: 'public-key', pem: readKeyFile(config.AUTH_JWT_PUBLIC_KEY_FILE), algorithm: config.AUTH_JWT_ALGORITHM };
  } else if (config.AUTH_JWKS_URL) {
    key = { kind: 'jwks', url: config.AUTH_JWKS_URL };
  } else if (config.AUTH_JWT_SECRET) {
    if (production && config.AUTH_JWT_SECRET === DEV_AUTH_JWT_SECRET) throw new ConfigError([{ variable: 'AUTH_JWT_SECRET', message: 'is the published development secret, refused when NODE_ENV=production' }]);
    key = { kind: 'secret', secret: config.AUTH_JWT_SECRET };
  } else {
    if (production) throw new ConfigError([{ variable: 'AUTH_JWT_SECRET', message: 'AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_URL is required when NODE_ENV=production' }]);
    key = { kind: 'secret', secret: DEV_AUTH_JWT_SECRET };
  }
  return { key, issuer: config.AUTH_ISSUER, audience: config.AUTH_AUDIENCE };
}

/** The variables of a service that sends commands over NATS under its own identity (the scheduler, integration-worker). */
export const serviceIdentityVariables = {
  ...authVariables,
  /** A token issued for this service (by OpenVLE's backend, or npm run token), read again whenever the file changes. */
  AUTH_SERVICE_TOKEN_FILE: z.string().min(1).optional(),
};

export type ServiceIdentityConfig = z.output<z.ZodObject<typeof serviceIdentityVariables>>;

/**
 * What the service sends in the Authorization header of its commands: the token of
 * AUTH_SERVICE_TOKEN_FILE, or else one it signs for `identity` with the HS256 secret it verifies
 * with (AUTH_JWT_SECRET, or the development secret outside production). A service that verifies with
 * a public key or a JWKS cannot sign, so it needs the file. Throws a ConfigError naming the variable.
 */
export function serviceCredentialsOf(config: ServiceIdentityConfig, identity: ServiceIdentity): ServiceCredentials {
  if (config.AUTH_SERVICE_TOKEN_FILE) {
    try {
      return new ServiceTokenFile(config.AUTH_SERVICE_TOKEN_FILE);
    } catch (error) {
      if (error instanceof ServiceTokenFileError) throw new ConfigError([{ variable: 'AUTH_SERVICE_TOKEN_FILE', message: error.message }]);
      throw error;
    }
  }
  const { key, issuer, audience } = tokenVerifierOptionsOf(config);
  if (key.kind !== 'secret') {
    throw new ConfigError([{ variable: 'AUTH_SERVICE_TOKEN_FILE', message: `is required: tokens are verified with ${key.kind === 'jwks' ? 'AUTH_JWKS_URL' : 'AUTH_JWT_PUBLIC_KEY_FILE'}, so this service cannot sign its own (issue it a token with ${identity.permissions.join(', ')})` }]);
  }
  return new SignedServiceToken(identity, { secret: key.secret, issuer, audience });
}

/** The PEM, checked at boot: a key that does not parse would otherwise refuse every token. */
function readKeyFile(path: string): string {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([{ variable: 'AUTH_JWT_PUBLIC_KEY_FILE', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` }]);
  }
  try {
    if (createPublicKey(pem).type !== 'public') throw new Error('not a public key');
  } catch {
    throw new ConfigError([{ variable: 'AUTH_JWT_PUBLIC_KEY_FILE', message: `${path} holds no PEM public key (SPKI, "-----BEGIN PUBLIC KEY-----")` }]);
  }
  return pem;
}

const ROUTE_ACCESS = 'vle:route-access';

type RouteAccess = { readonly public: true } | { readonly permission: Permission } | { readonly token: true } | { readonly forwardedTo: string };

/** The route needs a valid token carrying `permission`. */
export const RequirePermission = (permission: Permission): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ACCESS, { permission } satisfies RouteAccess);

/** The route needs a valid token, whatever it grants (GET /api/v1/me: who am I). */
export const RequireToken = (): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ACCESS, { token: true } satisfies RouteAccess);

/** The route needs no token (health). */
export const PublicRoute = (): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ACCESS, { public: true } satisfies RouteAccess);

/**
 * The route only forwards the request, token included, to `service`, which verifies the token and
 * checks the permission itself and whose answer (401, 403 included) the caller gets unchanged. The
 * guard lets it through without a verdict: checking here too could only refuse what the service
 * refuses anyway, with the risk of answering differently (another key source, a stale JWKS), and it
 * hands no principal to the handler, so a forwarded route cannot act on a token nobody checked.
 */
export const ForwardedRoute = (service: string): MethodDecorator & ClassDecorator => SetMetadata(ROUTE_ACCESS, { forwardedTo: service } satisfies RouteAccess);

interface AuthenticatedRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
}

/** The caller the guard verified (a route with @RequirePermission only). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!principal) throw new Error('@Caller() on a route without @RequirePermission');
  return principal;
});

/** The refusal as Nest sends it: the contract's ErrorReply body with its status. */
export function httpRefusal(error: AuthError): HttpException {
  return new HttpException(error.toReply(), error.status);
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(TokenVerifier) private readonly verifier?: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [context.getHandler(), context.getClass()]);
    if (access && ('public' in access || 'forwardedTo' in access)) return true;
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (!access) throw httpRefusal(new AuthError('FORBIDDEN', `${request.method ?? ''} ${(request.url ?? '').split('?')[0]} declares no permission, so it is not served`));
    if (!this.verifier) throw httpRefusal(new AuthError('FORBIDDEN', 'this service verifies no tokens, so it serves no route that needs one'));
    let principal: Principal;
    try {
      const header = request.headers.authorization;
      principal = await this.verifier.fromAuthorization(Array.isArray(header) ? header[0] : header);
    } catch (error) {
      // The issuer's keys could not be read: no verdict on the token, so no 401 (the client retries).
      if (error instanceof KeysUnavailable) throw new HttpException({ code: error.code, message: error.message, violations: [] }, 503);
      if (!(error instanceof AuthError)) throw error;
      http.getResponse<{ setHeader(name: string, value: string): void }>().setHeader('WWW-Authenticate', `Bearer realm="vle-tasks", error="invalid_token", error_description="${error.message.replaceAll('"', "'")}"`);
      throw httpRefusal(error);
    }
    if ('permission' in access && !can(principal, access.permission)) throw httpRefusal(AuthError.missing(access.permission));
    request.principal = principal;
    return true;
  }
}
