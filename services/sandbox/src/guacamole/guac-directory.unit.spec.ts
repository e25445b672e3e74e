import { describe, expect, it } from 'vitest';
import { GuacApi, type GuacRequest } from './guac-api.js';
import { GuacDirectory } from './guac-directory.js';
import { GuacSimError } from './guac-error.js';
import { GuacFaults } from './guac-faults.js';
import { GuacSessions, SESSION_TIMEOUT_MS } from './guac-sessions.js';

const rdp = (name: string, parameters: Record<string, string> = {}) => ({ parentIdentifier: 'ROOT', name, protocol: 'rdp', parameters: { hostname: 'lab-ev42-s07', port: '3389', security: 'any', 'ignore-cert': 'true', ...parameters }, attributes: {} });

function refusal(work: () => unknown): GuacSimError {
  try {
    work();
  } catch (error) {
    if (error instanceof GuacSimError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('users', () => {
  it('creates, refuses a duplicate with JDBC\'s message, deletes, and answers a missing one with 404', () => {
    const dir = new GuacDirectory('admin-pw');
    expect(dir.createUser({ username: 'ev42-s07', password: 'x', attributes: { 'guac-full-name': 'Ada', 'valid-until': '2026-05-01' } })).toEqual({ username: 'ev42-s07', attributes: { 'guac-full-name': 'Ada', 'valid-until': '2026-05-01' } });
    expect(refusal(() => dir.createUser({ username: 'ev42-s07' }))).toMatchObject({ status: 400, type: 'BAD_REQUEST', message: 'User "ev42-s07" already exists.' });
    expect(refusal(() => dir.createUser({ username: ' ' })).message).toBe('The username must not be blank.');
    expect(refusal(() => dir.createUser({ username: 'x', attributes: { 'valid-until': 'May 1' } })).status).toBe(400);
    dir.deleteUser('ev42-s07');
    expect(refusal(() => dir.getUser('ev42-s07'))).toMatchObject({ status: 404, type: 'NOT_FOUND', message: 'Not found: "ev42-s07"' });
    expect(dir.ledger().counts.users).toEqual({ created: 1, deleted: 1, live: 0 });
    expect(JSON.stringify(dir.ledger())).not.toContain('"x"');
  });

  it('authenticates by password; a wrong one is 403 INVALID_CREDENTIALS', () => {
    const dir = new GuacDirectory('admin-pw');
    expect(dir.authenticate('guacadmin', 'admin-pw')).toBe('guacadmin');
    expect(refusal(() => dir.authenticate('guacadmin', 'nope'))).toMatchObject({ status: 403, type: 'INVALID_CREDENTIALS' });
    expect(dir.isAdmin('guacadmin')).toBe(true);
  });
});

describe('connections and sharing profiles', () => {
  it('numbers identifiers, checks the protocol\'s parameters and refuses a duplicate name', () => {
    const dir = new GuacDirectory('pw');
    const created = dir.createConnection(rdp('ev42-s07-rdp'));
    expect(created).toMatchObject({ identifier: '1', name: 'ev42-s07-rdp', parentIdentifier: 'ROOT', protocol: 'rdp' });
    expect(dir.createConnection({ ...rdp('vnc-1'), protocol: 'vnc', parameters: { hostname: 'h', port: '5900', password: 'p' } }).identifier).toBe('2');
    expect(refusal(() => dir.createConnection(rdp('ev42-s07-rdp'))).message).toBe('The connection "ev42-s07-rdp" already exists.');
    expect(refusal(() => dir.createConnection(rdp('bad', { security: 'kerberos' }))).message).toBe('Invalid value "kerberos" for parameter "security" of protocol "rdp".');
    expect(refusal(() => dir.createConnection({ ...rdp('bad'), protocol: 'telnet3' })).message).toBe('Unsupported protocol: "telnet3"');
    expect(refusal(() => dir.createConnection({ ...rdp('bad'), parentIdentifier: '7' })).status).toBe(400);
    expect(dir.connectionParameters('1')).toMatchObject({ hostname: 'lab-ev42-s07', security: 'any' });
    expect(Object.keys(dir.listConnections())).toEqual(['1', '2']);
  });

  it('deleting a connection takes its sharing profiles and every permission on them', () => {
    const dir = new GuacDirectory('pw');
    dir.createUser({ username: 'u' });
    const connection = dir.createConnection(rdp('c')).identifier as string;
    const profile = dir.createSharingProfile({ primaryConnectionIdentifier: connection, name: 'c-view', parameters: { 'read-only': 'true' } }).identifier as string;
    expect(refusal(() => dir.createSharingProfile({ primaryConnectionIdentifier: connection, name: 'c-view' })).message).toBe('The sharing profile "c-view" already exists.');
    expect(refusal(() => dir.createSharingProfile({ primaryConnectionIdentifier: '99', name: 'x' })).status).toBe(404);
    dir.patchPermissions('u', [
      { op: 'add', path: `/connectionPermissions/${connection}`, value: 'READ' },
      { op: 'add', path: `/sharingProfilePermissions/${profile}`, value: 'READ' },
    ]);
    expect(dir.getPermissions('u')).toMatchObject({ connectionPermissions: { [connection]: ['READ'] }, sharingProfilePermissions: { [profile]: ['READ'] } });
    dir.deleteConnection(connection);
    expect(dir.getPermissions('u')).toMatchObject({ connectionPermissions: {}, sharingProfilePermissions: {} });
    expect(refusal(() => dir.getSharingProfile(profile)).status).toBe(404);
    const { counts, entries } = dir.ledger();
    expect(counts.sharingProfiles).toEqual({ created: 1, deleted: 1, live: 0 });
    expect(counts.permissions).toEqual({ granted: 2, revoked: 2 });
    expect(entries.find((e) => e.kind === 'sharingProfile' && e.event === 'deleted')).toMatchObject({ cascade: true });
  });
});

describe('permissions', () => {
  it('adds idempotently, refuses a bad op, path, value or a missing object, and applies nothing of a bad patch', () => {
    const dir = new GuacDirectory('pw');
    dir.createUser({ username: 'u' });
    dir.createConnection(rdp('c'));
    const grant = { op: 'add', path: '/connectionPermissions/1', value: 'READ' };
    dir.patchPermissions('u', [grant]);
    dir.patchPermissions('u', [grant]);
    expect(dir.ledger().counts.permissions.granted).toBe(1);
    expect(refusal(() => dir.patchPermissions('u', [{ op: 'replace', path: '/connectionPermissions/1', value: 'READ' }])).message).toBe('Unsupported patch operation: "replace"');
    expect(refusal(() => dir.patchPermissions('u', [{ op: 'add', path: '/vmPermissions/1', value: 'READ' }])).message).toBe('Unsupported patch path: "/vmPermissions/1"');
    expect(refusal(() => dir.patchPermissions('u', [{ op: 'add', path: '/connectionPermissions/1', value: 'OWN' }])).status).toBe(400);
    expect(refusal(() => dir.patchPermissions('u', [{ op: 'add', path: '/connectionPermissions/1', value: 'UPDATE' }, { op: 'add', path: '/connectionPermissions/57', value: 'READ' }])).message).toBe('Not found: "57"');
    expect(dir.getPermissions('u')).toMatchObject({ connectionPermissions: { 1: ['READ'] } });
    dir.patchPermissions('u', [{ op: 'remove', path: '/connectionPermissions/1', value: 'READ' }, { op: 'remove', path: '/connectionPermissions/57', value: 'READ' }]);
    expect(dir.getPermissions('u')).toMatchObject({ connectionPermissions: {} });
  });
});

describe('the API: tokens, faults, outage', () => {
  const setup = () => {
    let now = Date.UTC(2026, 0, 15);
    const clock = () => now;
    const sessions = new GuacSessions(clock);
    const faults = new GuacFaults();
    const api = new GuacApi(new GuacDirectory('pw', clock), sessions, faults);
    const call = (method: string, path: string, extra: Partial<GuacRequest> = {}) => api.handle({ method, path, query: {}, body: undefined, ...extra });
    const login = () => (call('POST', '/api/tokens', { body: { username: 'guacadmin', password: 'pw' } }).reply!.body as { authToken: string }).authToken;
    return { api, sessions, faults, call, login, advance: (ms: number) => void (now += ms) };
  };

  it('logs in, answers with the token, refuses a dead token with 403 PERMISSION_DENIED', () => {
    const { call, login, sessions, advance } = setup();
    const token = login();
    expect(call('GET', '/api/session/data/postgresql/users', { token }).reply?.status).toBe(200);
    expect(call('GET', '/api/session/data/postgresql/users', { query: { token } }).reply?.status).toBe(200);
    expect(call('GET', '/api/session/data/mysql/users', { token }).reply?.status).toBe(404);
    sessions.expireAll();
    expect(call('GET', '/api/session/data/postgresql/users', { token }).reply).toEqual({ status: 403, body: expect.objectContaining({ type: 'PERMISSION_DENIED', message: 'Permission Denied.' }) });
    const next = login();
    advance(SESSION_TIMEOUT_MS + 1);
    expect(call('GET', '/api/session/data/postgresql/users', { token: next }).reply?.status).toBe(403);
    expect(call('POST', '/api/tokens', { body: { username: 'guacadmin', password: 'wrong' } }).reply).toMatchObject({ status: 403, body: { type: 'INVALID_CREDENTIALS' } });
  });

  it('lets a participant read only their own user', () => {
    const { call, login } = setup();
    const admin = login();
    call('POST', '/api/session/data/postgresql/users', { token: admin, body: { username: 'p1', password: 'secret1' } });
    const own = (call('POST', '/api/tokens', { body: { username: 'p1', password: 'secret1' } }).reply!.body as { authToken: string }).authToken;
    expect(call('GET', '/api/session/data/postgresql/users/p1', { token: own }).reply?.status).toBe(200);
    expect(call('GET', '/api/session/data/postgresql/users', { token: own }).reply?.status).toBe(403);
  });

  it('injects an error without the work and a lost answer with the work; an outage refuses everything', () => {
    const { call, login, faults, api } = setup();
    const token = login();
    const create = { token, body: rdp('c') };
    faults.set({ endpoints: { 'POST /api/session/data/{dataSource}/connections': { errorRate: 1 } } });
    expect(call('POST', '/api/session/data/postgresql/connections', create).reply).toMatchObject({ status: 500, body: { type: 'INTERNAL_ERROR' } });
    expect(api.directory.ledger().counts.connections.created).toBe(0);
    faults.set({ endpoints: { 'POST /api/session/data/{dataSource}/connections': { timeoutRate: 1, hangMs: 100, timeoutMode: 'reset' } } });
    expect(call('POST', '/api/session/data/postgresql/connections', create)).toEqual({ reply: undefined, delayMs: 100 });
    expect(api.directory.ledger().counts.connections.created).toBe(1);
    faults.setOutage({ mode: 'status' });
    expect(call('POST', '/api/tokens', { body: { username: 'guacadmin', password: 'pw' } }).reply?.status).toBe(503);
    faults.setOutage({ mode: 'reset' });
    expect(call('GET', '/api/session/data/postgresql/users', { token })).toEqual({ delayMs: 0 });
    faults.setOutage(undefined);
    expect(call('GET', '/api/session/data/postgresql/users', { token }).reply?.status).toBe(200);
  });

  it('answers an unknown path with 404 NOT_FOUND', () => {
    const { call } = setup();
    expect(call('GET', '/api/session/data/postgresql/robots').reply).toMatchObject({ status: 404, body: { type: 'NOT_FOUND' } });
  });
});
