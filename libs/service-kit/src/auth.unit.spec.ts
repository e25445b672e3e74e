import 'reflect-metadata';
import { Controller, Get, Req, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEV_AUTH_JWT_SECRET, mintToken, SERVICE_IDENTITIES, TokenVerifier, type Principal, type TokenVerifierOptions } from '@vle/auth';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Caller, ForwardedRoute, PublicRoute, RequirePermission, RequireToken, serviceCredentialsOf, tokenVerifierOptionsOf } from './auth.js';
import { ServiceKitModule } from './service-kit.module.js';

// Decorated by hand: this file's transform takes no decorator syntax.
class Routes {
  open() {
    return { ok: true };
  }

  read(caller: Principal) {
    return { subject: caller.subject };
  }

  forgotten() {
    return { leaked: true };
  }

  whoami(caller: Principal) {
    return { subject: caller.subject };
  }

  forwarded(request: { principal?: unknown }) {
    return { principal: request.principal ?? null };
  }
}
const route = (name: keyof Routes, ...decorators: MethodDecorator[]) => Reflect.decorate(decorators, Routes.prototype, name, Object.getOwnPropertyDescriptor(Routes.prototype, name));
route('open', Get('open'), PublicRoute());
route('read', Get('read'), RequirePermission('tasks_read'));
route('forgotten', Get('forgotten'));
route('whoami', Get('whoami'), RequireToken());
route('forwarded', Get('forwarded'), ForwardedRoute('upstream'));
Req()(Routes.prototype, 'forwarded', 0);
Caller()(Routes.prototype, 'read', 0);
Caller()(Routes.prototype, 'whoami', 0);
Reflect.decorate([Controller('t')], Routes);

const token = (permissions: Parameters<typeof mintToken>[0]['permissions']) => mintToken({ secret: DEV_AUTH_JWT_SECRET, subject: 'alice', permissions, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });

async function appWith(auth: boolean | TokenVerifierOptions): Promise<{ app: INestApplication; url: string }> {
  const verifier = auth === true ? tokenVerifierOptionsOf({ AUTH_JWT_ALGORITHM: 'RS256', AUTH_ISSUER: DEFAULT_ISSUER, AUTH_AUDIENCE: DEFAULT_AUDIENCE }) : auth || undefined;
  const kit = ServiceKitModule.forRoot({ service: 'test', config: {}, ...(verifier ? { auth: verifier } : {}) });
  const module = await Test.createTestingModule({ imports: [kit], controllers: [Routes] }).compile();
  const app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: await app.getUrl() };
}

describe('the guard of every route', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await appWith(true));
  });

  afterAll(() => app.close());

  it('serves a public route without a token', async () => {
    expect((await fetch(`${url}/t/open`)).status).toBe(200);
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
  });

  it('serves a route to a token with its permission, and hands the caller to the handler', async () => {
    const response = await fetch(`${url}/t/read`, { headers: { authorization: `Bearer ${await token(['tasks_read'])}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'alice' });
  });

  it('answers 401 UNAUTHENTICATED with WWW-Authenticate without a token, 403 FORBIDDEN naming the permission without it', async () => {
    const none = await fetch(`${url}/t/read`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="vle-tasks", error="invalid_token", error_description="no bearer token: send Authorization: Bearer <JWT>"');
    expect(await none.json()).toEqual({ code: 'UNAUTHENTICATED', message: 'no bearer token: send Authorization: Bearer <JWT>', violations: [] });
    const other = await fetch(`${url}/t/read`, { headers: { authorization: `Bearer ${await token(['inventory_read'])}` } });
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ code: 'FORBIDDEN', message: 'the token lacks the permission tasks_read', violations: [] });
  });

  it('serves a route that needs only a token to any valid one, whatever it grants, and 401 without one', async () => {
    const response = await fetch(`${url}/t/whoami`, { headers: { authorization: `Bearer ${await token([])}` } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ subject: 'alice' });
    const none = await fetch(`${url}/t/whoami`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await fetch(`${url}/t/whoami`, { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
  });

  it('refuses a route that declares no permission, even to a token with every permission', async () => {
    const response = await fetch(`${url}/t/forgotten`, { headers: { authorization: `Bearer ${await token(['tasks_read', 'tasks_admin'])}` } });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ code: 'FORBIDDEN', message: 'GET /t/forgotten declares no permission, so it is not served' });
  });

  it('answers 503 AUTH_KEYS_UNAVAILABLE, not 401, while the issuer keys cannot be read', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const down = await appWith({ key: { kind: 'jwks', url: `http://127.0.0.1:${port}/jwks.json` }, issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
    try {
      const { privateKey } = await generateKeyPair('ES256');
      const signed = await new SignJWT({ permissions: ['tasks_read'] }).setProtectedHeader({ alg: 'ES256', kid: 'k' }).setSubject('alice').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('5m').sign(privateKey);
      const response = await fetch(`${down.url}/t/read`, { headers: { authorization: `Bearer ${signed}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ code: 'AUTH_KEYS_UNAVAILABLE' });
    } finally {
      await down.app.close();
    }
  });

  it('lets a forwarded route through unchecked (its service checks the token) and hands it no principal', async () => {
    const anonymous = await fetch(`${url}/t/forwarded`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ principal: null });
    const forged = await fetch(`${url}/t/forwarded`, { headers: { authorization: 'Bearer forged' } });
    expect(await forged.json()).toEqual({ principal: null });
  });

  it('serves only public routes in a service that verifies no tokens', async () => {
    const bare = await appWith(false);
    try {
      expect((await fetch(`${bare.url}/t/open`)).status).toBe(200);
      const response = await fetch(`${bare.url}/t/read`, { headers: { authorization: `Bearer ${await token(['tasks_read'])}` } });
      expect(response.status).toBe(403);
    } finally {
      await bare.app.close();
    }
  });
});

describe('tokenVerifierOptionsOf', () => {
  const base = { AUTH_JWT_ALGORITHM: 'RS256' as const, AUTH_ISSUER: 'openvle', AUTH_AUDIENCE: 'vle-tasks' };

  it('uses the published development secret outside production, and refuses it in production', () => {
    expect(tokenVerifierOptionsOf(base).key).toEqual({ kind: 'secret', secret: DEV_AUTH_JWT_SECRET });
    expect(() => tokenVerifierOptionsOf({ ...base, NODE_ENV: 'production' })).toThrow('AUTH_JWT_SECRET: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_URL is required when NODE_ENV=production');
    expect(() => tokenVerifierOptionsOf({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: DEV_AUTH_JWT_SECRET })).toThrow('AUTH_JWT_SECRET: is the published development secret, refused when NODE_ENV=production');
    expect(tokenVerifierOptionsOf({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) }).key).toEqual({ kind: 'secret', secret: 'x'.repeat(40) });
  });

  it('takes one key source only, and names an unreadable key file', () => {
    expect(() => tokenVerifierOptionsOf({ ...base, AUTH_JWT_SECRET: 'x'.repeat(40), AUTH_JWKS_URL: 'https://openvle.example/jwks.json' })).toThrow('only one of AUTH_JWT_SECRET, AUTH_JWKS_URL may be set');
    expect(() => tokenVerifierOptionsOf({ ...base, AUTH_JWT_PUBLIC_KEY_FILE: '/nonexistent/key.pem' })).toThrow('AUTH_JWT_PUBLIC_KEY_FILE: cannot be read (ENOENT)');
    expect(tokenVerifierOptionsOf({ ...base, AUTH_JWKS_URL: 'https://openvle.example/jwks.json' }).key).toEqual({ kind: 'jwks', url: 'https://openvle.example/jwks.json' });
  });

  it('reads a PEM public key file, and refuses one that holds none at boot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vle-auth-'));
    try {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true });
      writeFileSync(join(dir, 'key.pem'), await exportSPKI(publicKey));
      writeFileSync(join(dir, 'not-a-key.pem'), 'hello');
      expect(tokenVerifierOptionsOf({ ...base, AUTH_JWT_ALGORITHM: 'ES256', AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'key.pem') }).key).toMatchObject({ kind: 'public-key', algorithm: 'ES256' });
      expect(() => tokenVerifierOptionsOf({ ...base, AUTH_JWT_PUBLIC_KEY_FILE: join(dir, 'not-a-key.pem') })).toThrow('not-a-key.pem holds no PEM public key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('serviceCredentialsOf', () => {
  const base = { AUTH_JWT_ALGORITHM: 'RS256' as const, AUTH_ISSUER: 'openvle', AUTH_AUDIENCE: 'vle-tasks' };
  const verify = (secret: string, header: string) => new TokenVerifier({ key: { kind: 'secret', secret }, issuer: 'openvle', audience: 'vle-tasks' }).fromAuthorization(header);

  it('signs its own token with the secret it verifies with: the development one outside production, AUTH_JWT_SECRET in it', async () => {
    const dev = serviceCredentialsOf(base, SERVICE_IDENTITIES.scheduler);
    expect((await verify(DEV_AUTH_JWT_SECRET, await dev.authorization())).subject).toBe('service:scheduler');
    const secret = 'y'.repeat(40);
    const production = serviceCredentialsOf({ ...base, NODE_ENV: 'production', AUTH_JWT_SECRET: secret }, SERVICE_IDENTITIES['integration-worker']);
    expect([...(await verify(secret, await production.authorization())).permissions]).toEqual(['tasks_create']);
    expect(() => serviceCredentialsOf({ ...base, NODE_ENV: 'production' }, SERVICE_IDENTITIES.scheduler)).toThrow('AUTH_JWT_SECRET: AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY_FILE or AUTH_JWKS_URL is required when NODE_ENV=production');
  });

  it('needs a token file where tokens are verified with a JWKS (it cannot sign), and names a bad one', async () => {
    expect(() => serviceCredentialsOf({ ...base, AUTH_JWKS_URL: 'https://openvle.example/jwks.json' }, SERVICE_IDENTITIES.scheduler)).toThrow(
      'AUTH_SERVICE_TOKEN_FILE: is required: tokens are verified with AUTH_JWKS_URL, so this service cannot sign its own (issue it a token with tasks_create, tasks_system, tasks_retention)',
    );
    expect(() => serviceCredentialsOf({ ...base, AUTH_SERVICE_TOKEN_FILE: '/nonexistent/token' }, SERVICE_IDENTITIES.scheduler)).toThrow('AUTH_SERVICE_TOKEN_FILE: the service token file /nonexistent/token cannot be read (ENOENT)');
    const dir = mkdtempSync(join(tmpdir(), 'vle-auth-'));
    try {
      const token = await mintToken({ secret: DEV_AUTH_JWT_SECRET, subject: 'service:scheduler', permissions: ['tasks_create', 'tasks_system', 'tasks_retention'], issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE });
      writeFileSync(join(dir, 'token'), token);
      const file = serviceCredentialsOf({ ...base, AUTH_JWKS_URL: 'https://openvle.example/jwks.json', AUTH_SERVICE_TOKEN_FILE: join(dir, 'token') }, SERVICE_IDENTITIES.scheduler);
      expect(await file.authorization()).toBe(`Bearer ${token}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
