// The Guacamole simulator over real HTTP: the sandbox's AppModule in this process on a free port,
// driven with fetch as a Guacamole client drives the web application.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_GUACAMOLE_PASSWORD } from '@vle/service-kit';
import { startInProcessSandbox, type InProcessSandbox } from '../testing/in-process-sandbox.js';

let sandbox: InProcessSandbox;
let origin: string;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  origin = sandbox.url;
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  const reset = await control('POST', 'reset');
  if (reset.status !== 200) throw new Error(`reset answered ${reset.status}`);
});

const control = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${origin}/_sandbox/guacamole/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

async function login(username = 'guacadmin', password = DEV_GUACAMOLE_PASSWORD): Promise<Response> {
  return fetch(`${origin}/guacamole/api/tokens`, { method: 'POST', body: new URLSearchParams({ username, password }) });
}

async function token(): Promise<string> {
  return ((await (await login()).json()) as { authToken: string }).authToken;
}

const api = (method: string, path: string, authToken: string, body?: unknown): Promise<Response> =>
  fetch(`${origin}/guacamole/api/session/data/postgresql${path}`, { method, headers: { 'Guacamole-Token': authToken, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('the Guacamole simulator over HTTP', () => {
  it('logs in with a form (and HTTP Basic), and logs out', async () => {
    const response = await login();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ username: 'guacadmin', dataSource: 'postgresql', availableDataSources: ['postgresql', 'postgresql-shared'] });
    expect(body.authToken).toMatch(/^[0-9A-F]{64}$/);
    const basic = await fetch(`${origin}/guacamole/api/tokens`, { method: 'POST', headers: { Authorization: `Basic ${Buffer.from(`guacadmin:${DEV_GUACAMOLE_PASSWORD}`).toString('base64')}` } });
    expect(basic.status).toBe(200);
    const bad = await login('guacadmin', 'wrong');
    expect([bad.status, ((await bad.json()) as { type: string }).type]).toEqual([403, 'INVALID_CREDENTIALS']);
    const out = await fetch(`${origin}/guacamole/api/tokens/${String(body.authToken)}`, { method: 'DELETE' });
    expect(out.status).toBe(204);
    expect((await api('GET', '/users', String(body.authToken))).status).toBe(403);
  });

  it('creates a user, a connection and a read-only sharing profile, grants READ, and records them in the ledger', async () => {
    const t = await token();
    const user = await api('POST', '/users', t, { username: 'ev42-s07', password: 'pw-1', attributes: { 'guac-full-name': 'Ada Lovelace', 'valid-until': '2026-05-01' } });
    expect(user.status).toBe(200);
    const duplicate = await api('POST', '/users', t, { username: 'ev42-s07', password: 'pw-1' });
    expect([duplicate.status, await duplicate.json()]).toEqual([400, { message: 'User "ev42-s07" already exists.', translatableMessage: { key: 'APP.TEXT_UNTRANSLATED', variables: { MESSAGE: 'User "ev42-s07" already exists.' } }, statusCode: null, expected: null, patches: null, type: 'BAD_REQUEST' }]);
    const connection = (await (await api('POST', '/connections', t, { parentIdentifier: 'ROOT', name: 'ev42-s07-rdp', protocol: 'rdp', parameters: { hostname: 'lab-ev42-s07', port: '3389', security: 'any', 'ignore-cert': 'true' }, attributes: {} })).json()) as { identifier: string };
    expect(connection.identifier).toBe('1');
    const profile = (await (await api('POST', '/sharingProfiles', t, { primaryConnectionIdentifier: '1', name: 'ev42-s07-view', parameters: { 'read-only': 'true' }, attributes: {} })).json()) as { identifier: string };
    const patch = await api('PATCH', '/users/ev42-s07/permissions', t, [
      { op: 'add', path: '/connectionPermissions/1', value: 'READ' },
      { op: 'add', path: `/sharingProfilePermissions/${profile.identifier}`, value: 'READ' },
    ]);
    expect(patch.status).toBe(204);
    expect(await (await api('GET', '/users/ev42-s07/permissions', t)).json()).toMatchObject({ connectionPermissions: { 1: ['READ'] }, sharingProfilePermissions: { 1: ['READ'] } });
    expect(Object.keys((await (await api('GET', '/connections', t)).json()) as object)).toEqual(['1']);
    const missing = await api('GET', '/connections/57', t);
    expect([missing.status, ((await missing.json()) as { message: string }).message]).toEqual([404, 'Not found: "57"']);
    // The participant logs in with the password they were given.
    expect((await login('ev42-s07', 'pw-1')).status).toBe(200);

    const ledger = (await (await control('GET', 'ledger')).json()) as { counts: unknown; entries: unknown[] };
    expect(ledger.counts).toEqual({ users: { created: 1, deleted: 0, live: 1 }, connections: { created: 1, deleted: 0, live: 1 }, sharingProfiles: { created: 1, deleted: 0, live: 1 }, permissions: { granted: 2, revoked: 0 } });
    expect(JSON.stringify(ledger)).not.toContain('pw-1');
    const state = await (await control('GET', 'state')).text();
    expect(state).not.toContain('pw-1');
  });

  it('expire-tokens makes every token answer 403 PERMISSION_DENIED until the client logs in again', async () => {
    const t = await token();
    expect((await api('GET', '/users', t)).status).toBe(200);
    expect(await (await control('POST', 'expire-tokens')).json()).toEqual({ expired: 1 });
    const dead = await api('GET', '/users', t);
    expect([dead.status, await dead.json()]).toEqual([403, expect.objectContaining({ type: 'PERMISSION_DENIED', message: 'Permission Denied.' })]);
    expect((await api('GET', '/users', await token())).status).toBe(200);
  });

  it('an outage refuses connections (reset) or answers 503, until it is lifted', async () => {
    expect((await control('PUT', 'outage', { mode: 'reset' })).status).toBe(200);
    await expect(login()).rejects.toThrow('fetch failed');
    await control('PUT', 'outage', {});
    const unavailable = await login();
    expect([unavailable.status, unavailable.headers.get('content-type')]).toEqual([503, 'text/html;charset=UTF-8']);
    await control('DELETE', 'outage');
    expect((await login()).status).toBe(200);
  });

  it('injects faults per endpoint from a seeded PRNG, and refuses a bad control body naming the field', async () => {
    const t = await token();
    const key = 'POST /api/session/data/{dataSource}/users';
    await control('PUT', 'faults', { seed: 3, endpoints: { [key]: { errorRate: 1, errorStatus: 500 } } });
    const refused = await api('POST', '/users', t, { username: 'x' });
    expect([refused.status, ((await refused.json()) as { type: string }).type]).toEqual([500, 'INTERNAL_ERROR']);
    await control('PUT', 'faults', { endpoints: { [key]: { timeoutRate: 1, hangMs: 100, timeoutMode: 'reset' } } });
    await expect(api('POST', '/users', t, { username: 'y' })).rejects.toThrow('fetch failed');
    expect((await api('GET', '/users/y', t)).status).toBe(200);
    const bad = await control('PUT', 'faults', { endpoints: { [key]: { errorRate: 2 } } });
    expect([bad.status, ((await bad.json()) as { field: string }).field]).toEqual([400, `endpoints.${key}.errorRate`]);
  });

  it('is listed in /_sandbox/info', async () => {
    const info = (await (await fetch(`${origin}/_sandbox/info`)).json()) as { simulators: { name: string; baseUrl: string }[] };
    expect(info.simulators).toContainEqual({ name: 'guacamole', baseUrl: `${origin}/guacamole` });
  });
});
