// TLS against an HTTPS server with the committed test-only self-signed certificate (testing/).

import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PveClient, type PveClientOptions } from './pve-client.js';
import { checkFingerprint, normalizeFingerprint } from './pve-tls.js';

const cert = readFileSync(new URL('./testing/test-only-self-signed.cert.pem', import.meta.url), 'utf8');
const key = readFileSync(new URL('./testing/test-only-self-signed.key.pem', import.meta.url), 'utf8');
const fingerprint = new X509Certificate(cert).fingerprint256;
const WRONG = 'AA:'.repeat(31) + 'AA';
const TOKEN = { tokenId: 'vle@pve!tasks', tokenSecret: '5ec7e7aa-0b1c-4d2e-8f90-a1b2c3d4e5f6' };

let server: https.Server;
let baseUrl: string;
/** Requests that reached the server's HTTP layer, i.e. whose headers (and token) it read. */
let received = 0;

beforeAll(async () => {
  server = https.createServer({ cert, key }, (_req, res) => {
    received++;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { version: '9.1.3', release: '9.1', repoid: 'a1b2c3d4' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function versionWith(options: Partial<PveClientOptions>) {
  const client = new PveClient({ baseUrl, ...TOKEN, timeoutMs: 5000, ...options });
  try {
    return await client.version();
  } finally {
    client.close();
  }
}

describe('PveClient TLS', () => {
  it('refuses the self-signed certificate without a CA, as a permanent tls error', async () => {
    const before = received;
    await expect(versionWith({})).rejects.toMatchObject({ name: 'PveError', status: 0, kind: 'tls', permanent: true, responseCode: 'PVE_TLS', reason: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(received).toBe(before);
  });

  it('trusts it with the certificate as CA', async () => {
    await expect(versionWith({ ca: cert })).resolves.toMatchObject({ version: '9.1.3' });
    await expect(versionWith({ ca: Buffer.from(cert) })).resolves.toMatchObject({ version: '9.1.3' });
  });

  it('trusts it with the correct pinned fingerprint, in any spelling', async () => {
    await expect(versionWith({ fingerprint })).resolves.toMatchObject({ version: '9.1.3' });
    await expect(versionWith({ fingerprint: fingerprint.replace(/:/g, '').toLowerCase() })).resolves.toMatchObject({ version: '9.1.3' });
  });

  it('refuses a wrong fingerprint before sending the request, even with the right CA', async () => {
    const before = received;
    await expect(versionWith({ fingerprint: WRONG })).rejects.toMatchObject({ kind: 'tls', permanent: true, reason: 'ERR_PVE_FINGERPRINT_MISMATCH' });
    await expect(versionWith({ fingerprint: WRONG, ca: cert })).rejects.toMatchObject({ kind: 'tls' });
    expect(received).toBe(before);
  });

  it('rejects a fingerprint that is not a SHA-256 at construction', () => {
    expect(() => new PveClient({ baseUrl, ...TOKEN, fingerprint: 'AA:BB' })).toThrow(/SHA-256/);
  });
});

describe('checkFingerprint', () => {
  it('accepts the pinned certificate whatever the case or colons', () => {
    expect(checkFingerprint(fingerprint, { fingerprint256: fingerprint })).toBeUndefined();
    expect(checkFingerprint(fingerprint.toLowerCase().replace(/:/g, ''), { fingerprint256: fingerprint })).toBeUndefined();
  });

  it('fails another certificate or none', () => {
    expect(checkFingerprint(WRONG, { fingerprint256: fingerprint })).toMatchObject({ code: 'ERR_PVE_FINGERPRINT_MISMATCH' });
    expect(checkFingerprint(fingerprint, {})).toMatchObject({ code: 'ERR_PVE_FINGERPRINT_MISMATCH' });
    expect(checkFingerprint(fingerprint, undefined)).toBeInstanceOf(Error);
  });

  it('normalizes to upper-case hex pairs', () => {
    expect(normalizeFingerprint('ab'.repeat(32))).toBe('AB:'.repeat(31) + 'AB');
    expect(() => normalizeFingerprint('zz'.repeat(32))).toThrow(TypeError);
  });
});
