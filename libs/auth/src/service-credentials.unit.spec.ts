import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_AUDIENCE, DEFAULT_ISSUER } from './development.js';
import { mintToken } from './mint-token.js';
import { SERVICE_IDENTITIES, ServiceTokenFile, ServiceTokenFileError, SignedServiceToken } from './service-credentials.js';
import { TokenVerifier } from './token-verifier.js';

const secret = 'a-test-secret-of-at-least-thirty-two-characters';
const claims = { issuer: DEFAULT_ISSUER, audience: DEFAULT_AUDIENCE };
const verifier = new TokenVerifier({ key: { kind: 'secret', secret }, ...claims });
const dir = mkdtempSync(join(tmpdir(), 'vle-service-token-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SignedServiceToken', () => {
  it('signs a token of the service identity that task-api verifies, with only its permissions', async () => {
    const credentials = new SignedServiceToken(SERVICE_IDENTITIES.scheduler, { secret, ...claims });
    const principal = await verifier.fromAuthorization(await credentials.authorization());
    expect(principal.subject).toBe('service:scheduler');
    expect([...principal.permissions].sort()).toEqual(['tasks_create', 'tasks_retention', 'tasks_system']);
    expect(principal.scope).toEqual({});
  });

  it('keeps its token until a third of its life is left, then signs a new one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const start = Date.parse('2026-12-02T08:00:00Z');
      vi.setSystemTime(start);
      const credentials = new SignedServiceToken(SERVICE_IDENTITIES['integration-worker'], { secret, ...claims, lifetimeSeconds: 90 });
      const first = await credentials.authorization();
      vi.setSystemTime(start + 59_000);
      expect(await credentials.authorization()).toBe(first);
      vi.setSystemTime(start + 61_000);
      const renewed = await credentials.authorization();
      const expiry = (header: string) => (JSON.parse(Buffer.from(header.split('.')[1]!, 'base64url').toString()) as { exp: number }).exp * 1000;
      expect([expiry(first), expiry(renewed)]).toEqual([start + 90_000, start + 151_000]);
      expect((await verifier.fromAuthorization(renewed)).subject).toBe('service:integration-worker');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('ServiceTokenFile', () => {
  const write = async (name: string, token: string): Promise<string> => {
    const path = join(dir, name);
    writeFileSync(path, `${token}\n`);
    return path;
  };

  it('sends the token of the file, and the new one once the file changes (rotation)', async () => {
    const first = await mintToken({ secret, subject: 'service:scheduler', permissions: ['tasks_create'], ...claims });
    const path = await write('rotated', first);
    const file = new ServiceTokenFile(path);
    expect(file.subject).toBe('service:scheduler');
    expect(await file.authorization()).toBe(`Bearer ${first}`);
    const second = await mintToken({ secret, subject: 'service:scheduler-2', permissions: ['tasks_create'], ...claims, expiresInSeconds: 7200 });
    writeFileSync(path, second);
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    expect(await file.authorization()).toBe(`Bearer ${second}`);
    expect(file.subject).toBe('service:scheduler-2');
  });

  it('stops at boot on a missing file, one that holds no JWT, one without a subject, or an expired token, naming the file', async () => {
    const refusal = (path: string): string => {
      try {
        new ServiceTokenFile(path);
      } catch (error) {
        expect(error).toBeInstanceOf(ServiceTokenFileError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(refusal(join(dir, 'missing'))).toBe(`the service token file ${join(dir, 'missing')} cannot be read (ENOENT)`);
    expect(refusal(await write('garbage', 'not a token'))).toContain('holds no JWT');
    const anonymous = await write('anonymous', await mintToken({ secret, subject: '', permissions: [], ...claims }));
    expect(refusal(anonymous)).toContain('has no subject (sub)');
    const expired = await write('expired', await mintToken({ secret, subject: 'service:scheduler', permissions: [], ...claims, expiresInSeconds: -60 }));
    expect(refusal(expired)).toMatch(/expired at \d{4}-/);
  });

  it('never puts the token in an error', async () => {
    const token = await mintToken({ secret, subject: '', permissions: [], ...claims });
    const path = await write('secret-free', token);
    expect(() => new ServiceTokenFile(path)).toThrow(expect.objectContaining({ message: expect.not.stringContaining(token) }));
  });
});
