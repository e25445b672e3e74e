import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuthError } from './auth-error.js';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEV_AUTH_JWT_SECRET } from './development.js';
import { mintToken } from './mint-token.js';
import { KeysUnavailable, TokenVerifier } from './token-verifier.js';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const claims = { issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE };
const verifier = new TokenVerifier({ key: { kind: 'secret', secret }, ...claims });
const mint = (overrides: Partial<Parameters<typeof mintToken>[0]> = {}) => mintToken({ secret, subject: 'alice', permissions: ['tasks_read'], ...claims, ...overrides });

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).status).toBe(401);
  return error as AuthError;
}

describe('TokenVerifier (HS256)', () => {
  it('gives the subject, the known permissions and the scope of a valid token', async () => {
    const token = await mintToken({ secret, subject: 'backend', permissions: ['tasks_read', 'tasks_create'], scope: { events: ['42'] }, ...claims });
    const principal = await verifier.fromAuthorization(`Bearer ${token}`);
    expect(principal.subject).toBe('backend');
    expect([...principal.permissions].sort()).toEqual(['tasks_create', 'tasks_read']);
    expect(principal.scope).toEqual({ events: ['42'] });
    expect(principal.expiresAt).toBeGreaterThan(Date.now());
  });

  it('ignores permission names it does not know, and takes a space-separated string too', async () => {
    const token = await new SignJWT({ permissions: 'tasks_read everything sub_tasks_read' }).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect([...(await verifier.verify(token)).permissions].sort()).toEqual(['sub_tasks_read', 'tasks_read']);
  });

  it.each([
    ['no header', undefined, 'no bearer token: send Authorization: Bearer <JWT>'],
    ['another scheme', 'Basic YWxpY2U6cHc=', 'the Authorization header is not "Bearer <JWT>"'],
    ['no token after Bearer', 'Bearer ', 'the Authorization header is not "Bearer <JWT>"'],
    ['not a JWT', 'Bearer not.a.jwt', 'the token is not a valid JWT'],
  ])('refuses %s', async (_name, header, message) => {
    expect((await refusal(verifier.fromAuthorization(header))).message).toBe(message);
  });

  it('refuses a bad signature, an expired or not yet valid token, another issuer or audience, and one without subject', async () => {
    expect((await refusal(verifier.verify(await mint({ secret: DEV_AUTH_JWT_SECRET })))).message).toBe('the token signature does not verify');
    expect((await refusal(verifier.verify(await mint({ expiresInSeconds: -120 })))).message).toBe('the token has expired');
    expect((await refusal(verifier.verify(await mint({ notBeforeSeconds: 600 })))).message).toBe('the token is not valid yet (nbf)');
    expect((await refusal(verifier.verify(await mint({ issuer: 'someone-else' })))).message).toBe('the token was not issued by openvle (iss)');
    expect((await refusal(verifier.verify(await mint({ audience: 'another-service' })))).message).toBe('the token is not meant for vle-tasks (aud)');
    const anonymous = await new SignJWT({ permissions: ['tasks_read'] }).setProtectedHeader({ alg: 'HS256' }).setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect((await refusal(verifier.verify(anonymous))).message).toBe('the token has no subject (sub)');
  });

  it('allows 30 s of clock skew on exp', async () => {
    await expect(verifier.verify(await mint({ expiresInSeconds: -10 }))).resolves.toMatchObject({ subject: 'alice' });
  });

  it('checks the times of a token it verified before at every use: expired since, or not valid yet at the time given', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.parse('2026-12-02T08:00:00Z');
      vi.setSystemTime(start);
      const cached = new TokenVerifier({ key: { kind: 'secret', secret }, ...claims });
      const token = await mint({ expiresInSeconds: 20, notBeforeSeconds: -10 });
      await expect(cached.verify(token)).resolves.toMatchObject({ subject: 'alice' });
      // Within its 30 s of tolerance, then past it: the second answer comes from what was verified.
      vi.setSystemTime(start + 49_000);
      await expect(cached.verify(token)).resolves.toMatchObject({ subject: 'alice' });
      vi.setSystemTime(start + 51_000);
      expect((await refusal(cached.verify(token))).message).toBe('the token has expired');
      vi.setSystemTime(start);
      expect((await refusal(cached.verify(token, new Date(start + 60_000)))).message).toBe('the token has expired');
      expect((await refusal(cached.verify(token, new Date(start - 60_000)))).message).toBe('the token is not valid yet (nbf)');
      // Another token with the same claims but a bad signature is verified on its own.
      const forged = `${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(43)}`;
      expect((await refusal(cached.verify(forged))).message).toBe('the token signature does not verify');
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses an unsigned token (alg none) and another algorithm than HS256', async () => {
    const unsecured = new UnsecuredJWT({ permissions: ['tasks_admin'] }).setSubject('mallory').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).encode();
    expect((await refusal(verifier.verify(unsecured))).message).toBe('the token is signed with an algorithm this service does not accept');
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('mallory').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect((await refusal(verifier.verify(hs512))).message).toBe('the token is signed with an algorithm this service does not accept');
  });

  it('refuses a scope claim of the wrong shape instead of widening it', async () => {
    const shaped = (scope: unknown) => new SignJWT({ vle_scope: scope }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    expect((await refusal(verifier.verify(await shaped('own')))).message).toBe("the token's vle_scope claim is not an object");
    expect((await refusal(verifier.verify(await shaped({ events: [42] })))).message).toBe("the token's vle_scope.events is not a list of event ids");
    expect((await refusal(verifier.verify(await shaped({ own: 'yes' })))).message).toBe("the token's vle_scope.own is not a boolean");
    expect((await verifier.verify(await shaped({ own: true, events: [] }))).scope).toEqual({ own: true, events: [] });
  });
});

describe('TokenVerifier (public keys)', () => {
  it.each(['RS256', 'ES256'] as const)('verifies %s with a PEM public key, and refuses a token of another key', async (algorithm) => {
    const { publicKey, privateKey } = await generateKeyPair(algorithm);
    const other = await generateKeyPair(algorithm);
    const keyed = new TokenVerifier({ key: { kind: 'public-key', pem: await exportSPKI(publicKey), algorithm }, ...claims });
    const sign = (key: CryptoKey) => new SignJWT({ permissions: ['tasks_read'] }).setProtectedHeader({ alg: algorithm }).setSubject('backend').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('5m').sign(key);
    await expect(keyed.verify(await sign(privateKey))).resolves.toMatchObject({ subject: 'backend' });
    expect((await refusal(keyed.verify(await sign(other.privateKey)))).message).toBe('the token signature does not verify');
    // An HS256 token signed with the public key's text (the classic confusion) is refused.
    expect((await refusal(keyed.verify(await mint({ secret: await exportSPKI(publicKey) })))).message).toBe('the token is signed with an algorithm this service does not accept');
  });

  describe('from a JWKS URL', () => {
    let server: Server;
    let url: string;
    let privateKey: CryptoKey;

    beforeAll(async () => {
      const pair = await generateKeyPair('ES256');
      privateKey = pair.privateKey;
      const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'key-1', alg: 'ES256', use: 'sig' };
      server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('picks the key by kid, and refuses a kid the issuer does not publish', async () => {
      const jwks = new TokenVerifier({ key: { kind: 'jwks', url }, ...claims });
      const sign = (kid: string) => new SignJWT({ permissions: ['tasks_read'] }).setProtectedHeader({ alg: 'ES256', kid }).setSubject('backend').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('5m').sign(privateKey);
      await expect(jwks.verify(await sign('key-1'))).resolves.toMatchObject({ subject: 'backend' });
      expect((await refusal(jwks.verify(await sign('key-2')))).message).toBe('no key of the issuer matches the token (kid)');
    });

    it('says the keys are unavailable, not that the token is bad, when the JWKS cannot be read', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const down = new TokenVerifier({ key: { kind: 'jwks', url: `http://127.0.0.1:${port}/jwks.json` }, ...claims });
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'key-1' }).setSubject('backend').setIssuer(DEFAULT_ISSUER).setAudience(DEFAULT_AUDIENCE).setExpirationTime('5m').sign(privateKey);
      const error = await down.verify(token).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KeysUnavailable);
      expect(error).toMatchObject({ code: 'AUTH_KEYS_UNAVAILABLE' });
      expect(error).not.toBeInstanceOf(AuthError);
    });
  });
});
