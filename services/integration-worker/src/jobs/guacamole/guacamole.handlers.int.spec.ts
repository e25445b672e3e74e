// The provision and cleanup handlers against the sandbox's Guacamole simulator over HTTP, delivered
// more than once the way the job runtime would: again after success, after a create whose answer was
// lost, after every token died, and for objects that are already gone.

import { deriveLabPassword, isGuacamoleError, LAB_PASSWORD_PURPOSE, type GuacamoleClient } from '@vle/integrations';
import type { JobContext, JobHandler, JobInput } from '@vle/messaging';
import { jobContext, jobInput } from '@vle/messaging/testing';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCleanupHandler } from './cleanup.handler.js';
import { createProvisionHandler } from './provision.handler.js';

const KEY = 'test-only-lab-credentials-key-of-32-characters';
let sandbox: InProcessSandbox;
let guacamole: GuacamoleClient;
let provision: JobHandler;
let cleanup: JobHandler;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  guacamole = sandbox.guacamoleClient({ timeoutMs: 500 });
  const deps = { guacamole, labCredentialsKey: KEY };
  provision = createProvisionHandler(deps);
  cleanup = createCleanupHandler(deps);
});

afterAll(async () => {
  await guacamole.close();
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.guacamole('POST', 'reset');
});

const job = (action: string, params: Record<string, unknown>): JobInput => jobInput('guacamole', action, params, { objectType: 'connection', objectId: String(params.connectionName) });

function delivery(attempt: number): JobContext {
  return jobContext({ attempt, object: { type: 'connection' } });
}

const s07 = { username: 'ev42-s07', fullName: 'Ada Lovelace', connectionName: 'ev42-s07-rdp', protocol: 'rdp', hostname: 'lab-ev42-s07', port: 3389, validUntil: '2026-05-01' };

interface Ledger {
  entries: Array<{ event: string; kind: string; identifier: string; name: string }>;
  counts: { users: { live: number; created: number }; connections: { live: number; created: number }; sharingProfiles: { live: number; created: number }; permissions: { granted: number } };
}
const ledger = (): Promise<Ledger> => sandbox.guacamole('GET', 'ledger');

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('provision', () => {
  it('creates the user, the connection and a read-only profile, grants READ, and a second delivery finds them all', async () => {
    const first = await provision(job('provision', s07), delivery(1));
    expect(first).toEqual({
      responseCode: 'OK',
      responseMessage: 'user ev42-s07 created, connection "ev42-s07-rdp" (1, rdp to lab-ev42-s07:3389) created, sharing profile "ev42-s07-rdp-view" (1) created; READ granted on both',
    });
    const again = await provision(job('provision', s07), delivery(2));
    expect(again.responseMessage).toBe('user ev42-s07 found, connection "ev42-s07-rdp" (1, rdp to lab-ev42-s07:3389) found, sharing profile "ev42-s07-rdp-view" (1) found; READ granted on both');

    const { counts } = await ledger();
    expect([counts.users.created, counts.connections.created, counts.sharingProfiles.created, counts.permissions.granted]).toEqual([1, 1, 1, 2]);
    const state = await sandbox.guacamole('GET', 'state');
    expect(state.connections[0]).toMatchObject({ name: 'ev42-s07-rdp', protocol: 'rdp', parameters: { hostname: 'lab-ev42-s07', port: '3389', username: 'student', password: '********', security: 'any', 'ignore-cert': 'true' } });
    expect(state.sharingProfiles[0]).toMatchObject({ name: 'ev42-s07-rdp-view', primaryConnectionIdentifier: '1', parameters: { 'read-only': 'true' } });
    expect(state.users.find((u: { username: string }) => u.username === 'ev42-s07')).toMatchObject({ attributes: { 'guac-full-name': 'Ada Lovelace', 'valid-until': '2026-05-01' } });
    expect(state.permissions['ev42-s07']).toMatchObject({ connectionPermissions: { 1: ['READ'] }, sharingProfilePermissions: { 1: ['READ'] } });
    // The participant logs in with the password their mail computes from the same key.
    const login = await fetch(`${sandbox.url}/guacamole/api/tokens`, { method: 'POST', body: new URLSearchParams({ username: 'ev42-s07', password: deriveLabPassword(KEY, LAB_PASSWORD_PURPOSE.guacamoleUser, 'ev42-s07') }) });
    expect(login.status).toBe(200);
  });

  it('after a create whose answer was lost, the next delivery finds the object instead of making a second one', async () => {
    await sandbox.guacamole('PUT', 'faults', { endpoints: { 'POST /api/session/data/{dataSource}/connections': { timeoutRate: 1, hangMs: 1_000 } } });
    const error = await failure(provision(job('provision', s07), delivery(1)));
    expect(isGuacamoleError(error) && [error.kind, error.transient, error.responseCode]).toEqual(['timeout', true, 'GUAC_TIMEOUT']);
    await sandbox.guacamole('DELETE', 'faults');
    const again = await provision(job('provision', s07), delivery(2));
    expect(again.responseMessage).toContain('user ev42-s07 found, connection "ev42-s07-rdp" (1, rdp to lab-ev42-s07:3389) found, sharing profile "ev42-s07-rdp-view" (1) created');
    const { counts } = await ledger();
    expect([counts.users.created, counts.connections.created, counts.sharingProfiles.created]).toEqual([1, 1, 1]);
  });

  it('two connections of one user (parallel SubTasks) make one user', async () => {
    const results = await Promise.all([
      provision(job('provision', s07), delivery(1)),
      provision(job('provision', { ...s07, connectionName: 'ev42-s07-vnc', protocol: 'vnc', port: 5900 }), delivery(1)),
    ]);
    expect(results.map((r) => r.responseCode)).toEqual(['OK', 'OK']);
    const { counts } = await ledger();
    expect([counts.users.created, counts.connections.created, counts.sharingProfiles.created]).toEqual([1, 2, 2]);
  });

  it('logs in once more when every token expired, and carries on', async () => {
    await provision(job('provision', s07), delivery(1));
    const before = guacamole.logins;
    await sandbox.guacamole('POST', 'expire-tokens');
    const result = await provision(job('provision', { ...s07, username: 'ev42-s08', connectionName: 'ev42-s08-rdp' }), delivery(1));
    expect(result.responseCode).toBe('OK');
    expect(guacamole.logins).toBe(before + 1);
  });

  it('fails transiently while Guacamole is down and succeeds once it is back', async () => {
    await sandbox.guacamole('PUT', 'outage', { mode: 'reset' });
    const down = await failure(provision(job('provision', s07), delivery(1)));
    expect(isGuacamoleError(down) && [down.kind, down.permanent]).toEqual(['network', false]);
    await sandbox.guacamole('PUT', 'outage', { mode: 'status', status: 503 });
    const unavailable = await failure(provision(job('provision', s07), delivery(2)));
    expect(isGuacamoleError(unavailable) && [unavailable.responseCode, unavailable.permanent]).toEqual(['GUAC_503', false]);
    await sandbox.guacamole('DELETE', 'outage');
    expect((await provision(job('provision', s07), delivery(3))).responseCode).toBe('OK');
  });

  it('refuses bad params permanently', async () => {
    const error = await failure(provision(job('provision', { ...s07, protocol: 'ssh' }), delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS', message: 'invalid job params: params.protocol: Invalid option: expected one of "rdp"|"vnc"' });
    expect((await ledger()).entries).toEqual([]);
  });
});

describe('cleanup', () => {
  it('deletes the profile, the connection and the user; a second delivery finds nothing and succeeds', async () => {
    await provision(job('provision', s07), delivery(1));
    const first = await cleanup(job('cleanup', { username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }), delivery(1));
    expect(first).toEqual({ responseCode: 'OK', responseMessage: 'sharing profile "ev42-s07-rdp-view" (1) deleted, connection "ev42-s07-rdp" (1) deleted, user ev42-s07 deleted' });
    const again = await cleanup(job('cleanup', { username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }), delivery(2));
    expect(again).toEqual({ responseCode: 'OK', responseMessage: 'connection "ev42-s07-rdp" already gone, user ev42-s07 already gone' });
    const { counts } = await ledger();
    expect([counts.users.live, counts.connections.live, counts.sharingProfiles.live]).toEqual([0, 0, 0]);
  });

  it('counts a 404 on delete as done (another cleanup removed it between the lookup and the delete)', async () => {
    await provision(job('provision', s07), delivery(1));
    await sandbox.guacamole('PUT', 'faults', { endpoints: { 'DELETE /api/session/data/{dataSource}/sharingProfiles/{identifier}': { delayMs: 300 } } });
    const [a, b] = await Promise.all([
      cleanup(job('cleanup', { username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }), delivery(1)),
      cleanup(job('cleanup', { username: 'ev42-s07', connectionName: 'ev42-s07-rdp' }), delivery(1)),
    ]);
    expect([a.responseCode, b.responseCode]).toEqual(['OK', 'OK']);
    expect(`${a.responseMessage} | ${b.responseMessage}`).toContain('already gone');
    const deleted = (await ledger()).entries.filter((e) => e.event === 'deleted' && !('cascade' in e));
    expect(deleted.map((e) => e.kind).sort()).toEqual(['connection', 'sharingProfile', 'user']);
  });
});
