// GET /api/v1/me over HTTP, in a Nest app with the guard of service-kit (as in the projection): any
// valid token learns who it is, whatever it grants; no token, or a bad one, is 401 as on every route.

import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ServiceKitModule, tokenVerifierOptionsOf } from '@vle/service-kit';
import { bearer, testToken } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdentityModule } from './identity.module.js';

let app: INestApplication;
let url: string;

beforeAll(async () => {
  const auth = tokenVerifierOptionsOf({ AUTH_JWT_ALGORITHM: 'RS256', AUTH_ISSUER: 'openvle', AUTH_AUDIENCE: 'vle-tasks' });
  const module = await Test.createTestingModule({ imports: [ServiceKitModule.forRoot({ service: 'test', config: {}, auth }), IdentityModule] }).compile();
  app = module.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  url = `${await app.getUrl()}/api/v1/me`;
});

afterAll(async () => {
  await app?.close();
});

describe('GET /api/v1/me', () => {
  it('answers the subject, the sorted permissions, the scope and the expiry of the token', async () => {
    const before = Date.now();
    const token = await testToken({ subject: 'alice', permissions: ['tasks_read', 'sub_tasks_read', 'tasks_admin'], scope: { own: true, events: ['42', '7'] }, expiresInSeconds: 600 });
    const response = await fetch(url, { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { expiresAt: string };
    expect(body).toEqual({ subject: 'alice', permissions: ['sub_tasks_read', 'tasks_admin', 'tasks_read'], scope: { own: true, events: ['42', '7'] }, expiresAt: expect.any(String) });
    const expiresAt = Date.parse(body.expiresAt);
    expect(new Date(expiresAt).toISOString()).toBe(body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it('needs no permission: a token that grants nothing is answered too, with an empty scope', async () => {
    const response = await fetch(url, { headers: bearer(await testToken({ subject: 'nobody', permissions: [] })) });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ subject: 'nobody', permissions: [], scope: {} });
  });

  it('refuses no token, an expired one and a bad signature with 401 UNAUTHENTICATED and WWW-Authenticate', async () => {
    const refused = [undefined, await testToken({ expiresInSeconds: -3600 }), await testToken({ secret: 'not-the-secret-the-services-verify-with' }), await testToken({ audience: 'another-service' })];
    for (const token of refused) {
      const response = await fetch(url, { headers: token ? bearer(token) : {} });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="vle-tasks", error="invalid_token"/);
      expect(await response.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
  });
});
