// TLS to NATS as README "NATS users" describes it: a nats-server of this test's own with a certificate
// of a CA made here; a service that has NATS_TLS_CA_FILE connects, one without it does not.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectNats } from '@vle/event-store';
import { startNatsServer, type OwnNatsServer } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsClientOptionsOf } from './nats-client-options.js';

const dir = mkdtempSync(join(tmpdir(), 'vle-nats-tls-'));
const at = (name: string) => join(dir, name);
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
let server: OwnNatsServer;

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=vle-test-ca', '-keyout', at('ca.key'), '-out', at('ca.pem'));
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', at('server.key'), '-out', at('server.csr'));
  writeFileSync(at('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl('x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-days', '1', '-extfile', at('san.ext'), '-out', at('server.pem'));
  server = await startNatsServer({ jetstream: false, args: ['--tls', '--tlscert', at('server.pem'), '--tlskey', at('server.key')] });
});

afterAll(async () => {
  await server?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('NATS over TLS', () => {
  it('connects with NATS_TLS_CA_FILE naming the CA of the server certificate', async () => {
    const nc = await connectNats(server.url, 'test-tls', natsClientOptionsOf({ NATS_TLS_CA_FILE: at('ca.pem') }));
    try {
      expect(nc.info?.tls_required).toBe(true);
      await expect(nc.rtt()).resolves.toEqual(expect.any(Number));
    } finally {
      await nc.close();
    }
  });

  it('does not connect without it: the certificate is not trusted', async () => {
    await expect(connectNats(server.url, 'test-tls', { ...natsClientOptionsOf({}), maxReconnectAttempts: 0 })).rejects.toMatchObject({ code: 'NATS_UNREACHABLE' });
  });
});
