// Identity and permissions on every HTTP route of task-api and projection, with the services as
// processes (README, "Identity and permissions"): a matrix of routes × callers with the expected status
// of each cell, no event appended by a refused write, no Task outside a token's scope in any answer, a
// forged createdBy refused, a service acting for a user recorded as both.

import type { Permission } from '@vle/auth';
import { bearer, openEventStream, testToken, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALLERS, createIdentityFixtures, GRANTED, OUT_OF_SCOPE_EVENTS, READ, tokenOf, UNAUTHENTICATED_CALLERS, type Caller, type IdentityFixtures } from './identity-matrix.js';
import { System } from './system.js';

const system = new System();

async function call(service: 'task-api' | 'projection', method: 'GET' | 'POST', path: string, token: string | undefined, body?: unknown): Promise<{ status: number; body: any; authenticate: string | null }> {
  const base = service === 'task-api' ? system.taskApi.url : system.projection.url;
  const headers: Record<string, string> = { ...(token ? bearer(token) : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (path.startsWith('/api/v1/tasks/stream')) {
    // A live stream that is let in answers with events until it is closed: read up to `ready`.
    const stream = await openEventStream(`${base}${path}`, headers);
    if (stream.status !== 200) {
      const text = await stream.body();
      return { status: stream.status, body: text ? JSON.parse(text) : undefined, authenticate: stream.headers.get('www-authenticate') };
    }
    await waitFor(() => stream.events.some((e) => e.event === 'ready'), { description: 'the live stream to be ready', timeoutMs: 10_000 });
    stream.close();
    return { status: 200, body: { events: stream.events }, authenticate: null };
  }
  const response = await fetch(`${base}${path}`, method === 'GET' ? { headers } : { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  // The export and the report answer CSV and HTML; their refusals are JSON like every other.
  const json = text !== '' && (response.headers.get('content-type') ?? '').includes('json');
  return { status: response.status, body: json ? JSON.parse(text) : text || undefined, authenticate: response.headers.get('www-authenticate') };
}

/** Tasks (subjects) in the log: a creation adds one, while the other Tasks' events may still be arriving. */
async function taskCount(): Promise<number> {
  return (await system.jsm.streams.info(system.topology.eventStream.name)).state.num_subjects ?? 0;
}

let failedTask: IdentityFixtures['failedTask'];
let bobsTask: string;

beforeAll(async () => {
  await system.start();
  ({ failedTask, bobsTask } = await createIdentityFixtures(system));
}, 120_000);

afterAll(async () => {
  await system.stop();
});

interface Route {
  readonly name: string;
  readonly service: 'task-api' | 'projection';
  readonly method: 'GET' | 'POST';
  readonly path: () => string;
  readonly body?: () => unknown;
  /** 'authenticated': any valid token, whatever it grants. */
  readonly permission: Permission | 'authenticated';
}

const routes: Route[] = [
  { name: 'create', service: 'task-api', method: 'POST', path: () => '/api/v1/tasks', body: () => ({ name: 'matrix', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }), permission: 'tasks_create' },
  { name: 'retry', service: 'task-api', method: 'POST', path: () => `/api/v1/tasks/${failedTask.taskId}/subtasks/${failedTask.bad}/retry`, body: () => ({}), permission: 'sub_tasks_retry' },
  { name: 'skip', service: 'task-api', method: 'POST', path: () => `/api/v1/tasks/${failedTask.taskId}/subtasks/${failedTask.next}/skip`, body: () => ({ reason: 'matrix' }), permission: 'sub_tasks_skip' },
  { name: 'cancel', service: 'task-api', method: 'POST', path: () => `/api/v1/tasks/${bobsTask}/cancel`, body: () => ({}), permission: 'tasks_cancel' },
  { name: 'pin', service: 'task-api', method: 'POST', path: () => `/api/v1/tasks/${bobsTask}/pin`, body: () => ({ reason: 'matrix' }), permission: 'tasks_pin' },
  { name: 'unpin', service: 'task-api', method: 'POST', path: () => `/api/v1/tasks/${bobsTask}/unpin`, body: () => ({}), permission: 'tasks_pin' },
  { name: 'list', service: 'projection', method: 'GET', path: () => '/api/v1/tasks', permission: 'tasks_read' },
  { name: 'detail', service: 'projection', method: 'GET', path: () => `/api/v1/tasks/${failedTask.taskId}`, permission: 'tasks_read' },
  { name: 'live stream', service: 'projection', method: 'GET', path: () => '/api/v1/tasks/stream', permission: 'tasks_read' },
  { name: 'search', service: 'projection', method: 'GET', path: () => `/api/v1/tasks?q=${encodeURIComponent('status = failed or name ~ matrix')}`, permission: 'tasks_read' },
  { name: 'history', service: 'projection', method: 'GET', path: () => `/api/v1/tasks/${failedTask.taskId}/history`, permission: 'tasks_read' },
  { name: 'subtask', service: 'projection', method: 'GET', path: () => `/api/v1/tasks/${failedTask.taskId}/subtasks/${failedTask.bad}`, permission: 'sub_tasks_read' },
  { name: 'export', service: 'projection', method: 'GET', path: () => '/api/v1/tasks/export.csv', permission: 'tasks_read' },
  { name: 'export subtasks', service: 'projection', method: 'GET', path: () => '/api/v1/tasks/export.csv?subtasks=true', permission: 'sub_tasks_read' },
  { name: 'report', service: 'projection', method: 'GET', path: () => `/api/v1/tasks/${failedTask.taskId}/report.html`, permission: 'tasks_read' },
  { name: 'stats', service: 'projection', method: 'GET', path: () => '/api/v1/stats', permission: 'tasks_read' },
  { name: 'projection status', service: 'projection', method: 'GET', path: () => '/api/v1/projection/status', permission: 'tasks_admin' },
  { name: 'retention preview', service: 'projection', method: 'GET', path: () => '/api/v1/retention/preview', permission: 'tasks_admin' },
  // As of now: the fixtures are minutes old, so the run deletes none of them.
  { name: 'retention run', service: 'projection', method: 'POST', path: () => '/api/v1/retention/run', permission: 'tasks_admin' },
  // Dead letters belong to no Task: for admins without a scope. No dead letter has that sequence.
  { name: 'dead letters', service: 'projection', method: 'GET', path: () => '/api/v1/dead-letters?limit=5', permission: 'tasks_admin' },
  { name: 'dead letters summary', service: 'projection', method: 'GET', path: () => '/api/v1/dead-letters/summary', permission: 'tasks_admin' },
  { name: 'dead letter', service: 'projection', method: 'GET', path: () => '/api/v1/dead-letters/999999999', permission: 'tasks_admin' },
  { name: 'proxmox nodes', service: 'projection', method: 'GET', path: () => '/api/v1/proxmox/nodes', permission: 'inventory_read' },
  { name: 'proxmox vms', service: 'projection', method: 'GET', path: () => '/api/v1/proxmox/vms', permission: 'inventory_read' },
  { name: 'proxmox vm', service: 'projection', method: 'GET', path: () => '/api/v1/proxmox/vms/100', permission: 'inventory_read' },
  // Who the caller is: any valid token, scoped or not, whatever it grants.
  { name: 'me', service: 'projection', method: 'GET', path: () => '/api/v1/me', permission: 'authenticated' },
];

/**
 * The status each caller gets. A write that passes the identity layer may still be refused by the
 * domain (409: the fixture's state after the admin's own write), never with 401, 403 or 404.
 */
function expected(route: Route, caller: Caller): number | 'passes' {
  if (UNAUTHENTICATED_CALLERS.includes(caller)) return 401;
  if (route.permission === 'authenticated') return 200;
  if (!GRANTED[caller].includes(route.permission)) return 403;
  if (caller === 'out of scope') {
    // A creation outside the scope is refused (no Task to hide); a Task outside it does not exist for it.
    if (route.name === 'create') return 403;
    if (['retry', 'skip', 'cancel', 'pin', 'unpin', 'detail', 'history', 'subtask', 'report'].includes(route.name)) return 404;
    // The retention acts on every Task: a scoped token may not ask for it.
    if (route.name.startsWith('retention')) return 403;
    // Dead letters belong to no Task: a scoped token may not read them either.
    if (route.name.startsWith('dead letter')) return 403;
  }
  if (route.service === 'projection') return ['proxmox vm', 'dead letter'].includes(route.name) ? 404 : 200;
  return 'passes';
}

describe('every HTTP route × every kind of caller', () => {
  it('answers each cell as expected; refused writes append nothing; no answer holds a Task outside the scope', async () => {
    const cells: string[] = [];
    const outcomes: string[] = [];
    for (const caller of CALLERS) {
      const token = await tokenOf(caller);
      for (const route of routes) {
        const want = expected(route, caller);
        const log = (await system.jsm.streams.info(system.topology.eventStream.name)).state;
        const before = route.name === 'create' ? (log.num_subjects ?? 0) : log.last_seq;
        const answer = await call(route.service, route.method, route.path(), token, route.body?.());
        const ok = want === 'passes' ? [200, 201, 202, 409].includes(answer.status) : answer.status === want;
        cells.push(`${route.name} × ${caller}: ${answer.status}${ok ? '' : ` (expected ${want}) ${JSON.stringify(answer.body).slice(0, 200)}`}`);
        if (!ok) outcomes.push(cells.at(-1)!);
        if (answer.status === 401) {
          expect(answer.body.code).toBe('UNAUTHENTICATED');
          expect(answer.authenticate).toMatch(/^Bearer realm="vle-tasks", error="invalid_token"/);
        }
        if (answer.status === 403) {
          expect(answer.body.code).toBe('FORBIDDEN');
          if (route.permission !== 'authenticated' && !holds(caller, route.permission)) expect(answer.body.message).toContain(route.permission);
        }
        // A refused write appends nothing: it is answered after the decision, so an append would be there.
        if (answer.status >= 400 && answer.status !== 409 && route.method === 'POST') expect(await eventsSince(before, route), `${route.name} × ${caller}`).toBe(0);
        if (caller === 'out of scope' && answer.status < 300) expect(JSON.stringify(answer.body)).not.toMatch(new RegExp(`${failedTask.taskId}|${bobsTask}`));
        // The caller's own subject and permissions, as its token says.
        if (route.name === 'me' && answer.status === 200) expect(answer.body).toMatchObject({ permissions: [...GRANTED[caller]].sort(), scope: caller === 'out of scope' ? { events: OUT_OF_SCOPE_EVENTS } : {} });
        // What the out-of-scope caller must not see is there for the admin: the export's rows, the report, the failed SubTask to retry.
        if (caller === 'admin' && ['export', 'export subtasks', 'report', 'stats'].includes(route.name)) expect({ route: route.name, holdsFixture: JSON.stringify(answer.body).includes(failedTask.taskId) }).toEqual({ route: route.name, holdsFixture: true });
      }
    }
    // Every cell in the failure message, so that one run shows the whole matrix.
    expect({ outcomes, cells: outcomes.length > 0 ? cells : [] }).toEqual({ outcomes: [], cells: [] });
  });

  it('serves health to anyone, token or not', async () => {
    for (const service of ['task-api', 'projection'] as const) {
      expect((await call(service, 'GET', '/health/live', undefined)).status).toBe(200);
      expect((await call(service, 'GET', '/health/ready', await tokenOf('bad signature'))).status).toBe(200);
    }
  });
});

/** Whether `caller`'s token carries `permission`. */
function holds(caller: Caller, permission: Permission): boolean {
  return expected({ name: '', service: 'projection', method: 'GET', path: () => '', permission }, caller) !== 403;
}

/**
 * What a write appended since `before`: for a creation the Tasks added (`before` a taskCount), for the
 * others the commits of the fixture it targets after stream sequence `before`.
 */
async function eventsSince(before: number, route: Route): Promise<number> {
  if (route.name === 'create') return (await taskCount()) - before;
  const taskId = ['cancel', 'pin', 'unpin'].includes(route.name) ? bobsTask : failedTask.taskId;
  const seqs = (await system.store.load(taskId)).commits.map((c) => c.seq);
  return seqs.filter((seq) => seq > before).length;
}

describe('who a command is from', () => {
  it('refuses a createdBy that names someone else, unless the token may act for users; then records both', async () => {
    const bob = await testToken({ subject: 'bob', permissions: ['tasks_create'] });
    const before = await taskCount();
    const forged = await call('task-api', 'POST', '/api/v1/tasks', bob, { name: 'forged', createdBy: 'alice', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'FORBIDDEN', violations: [{ field: 'createdBy' }] });
    expect(forged.body.message).toContain('tasks_act_for_users');
    expect(await taskCount()).toBe(before);

    const own = await call('task-api', 'POST', '/api/v1/tasks', bob, { name: 'own', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    expect(own.status).toBe(201);
    const [created] = await system.events(own.body.taskId);
    expect(created).toMatchObject({ type: 'TaskCreated', actor: 'bob', data: { createdBy: 'bob' } });
    expect(created).not.toHaveProperty('onBehalfOf');

    const backend = await tokenOf('service for a user');
    const forAlice = await call('task-api', 'POST', '/api/v1/tasks', backend, { name: 'for alice', createdBy: 'alice', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    expect(forAlice.status).toBe(201);
    const [theirs] = await system.events(forAlice.body.taskId);
    expect(theirs).toMatchObject({ type: 'TaskCreated', actor: 'openvle-backend', onBehalfOf: 'alice', data: { createdBy: 'alice' } });
  });

  it('records the token subject as who retried, and a requestedBy of another user only for a service', async () => {
    const retrier = await testToken({ subject: 'dora', permissions: ['sub_tasks_retry'] });
    const forged = await call('task-api', 'POST', `/api/v1/tasks/${failedTask.taskId}/subtasks/${failedTask.bad}/retry`, retrier, { requestedBy: 'alice' });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 'FORBIDDEN', violations: [{ field: 'requestedBy' }] });
  });

  it('refuses a body that is not JSON before reading it (what a page of another origin can send without asking), and serves no CORS', async () => {
    const admin = await tokenOf('admin');
    const before = await taskCount();
    for (const [type, body] of [['text/plain', '{"name":"x","subtasks":[{"key":"a","name":"A","action":"noop","queue":"bench"}]}'], ['application/x-www-form-urlencoded', 'name=x'], ['multipart/form-data; boundary=b', '--b--']] as const) {
      const response = await fetch(`${system.taskApi.url}/api/v1/tasks`, { method: 'POST', headers: { ...bearer(admin!), 'content-type': type, origin: 'https://evil.example' }, body });
      expect(response.status).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', violations: [{ field: 'Content-Type' }] });
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
    expect(await taskCount()).toBe(before);
    const preflight = await fetch(`${system.taskApi.url}/api/v1/tasks`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('hides SubTasks from a token without sub_tasks_read, and shows them with it', async () => {
    const viewer = await call('projection', 'GET', `/api/v1/tasks/${failedTask.taskId}`, await tokenOf('no sub_tasks_read'));
    expect(viewer.status).toBe(200);
    expect(viewer.body).not.toHaveProperty('subtasks');
    const reader = await call('projection', 'GET', `/api/v1/tasks/${failedTask.taskId}`, await tokenOf('read-only'));
    expect(reader.body.subtasks).toHaveLength(2);
  });

  it('lists only what a scope allows: own Tasks, or the Tasks of its events', async () => {
    const alice = await testToken({ subject: 'alice', permissions: READ, scope: { own: true } });
    const aliceList = await call('projection', 'GET', '/api/v1/tasks?limit=500', alice);
    expect(aliceList.body.items.map((t: { id: string }) => t.id)).toContain(failedTask.taskId);
    expect(aliceList.body.items.every((t: { createdBy: string }) => t.createdBy === 'alice')).toBe(true);
    expect((await call('projection', 'GET', `/api/v1/tasks/${bobsTask}`, alice)).status).toBe(404);
    const event42 = await testToken({ subject: 'teacher', permissions: READ, scope: { events: ['42'] } });
    const eventList = await call('projection', 'GET', '/api/v1/tasks?limit=500', event42);
    expect(eventList.body.items.map((t: { id: string }) => t.id)).toEqual([failedTask.taskId]);
    // A filter cannot widen the scope.
    const widened = await call('projection', 'GET', '/api/v1/tasks?createdBy=bob&limit=500', event42);
    expect(widened.body.items).toEqual([]);
  });
});

describe('the retention routes', () => {
  it('preview what a run would delete, as of now or a later time, and refuse a bad time naming the field', async () => {
    const admin = await tokenOf('admin');
    const now = await call('projection', 'GET', '/api/v1/retention/preview', admin);
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ enabled: true, total: 0, samples: [], policy: expect.arrayContaining([{ match: '*', days: 30 }]) });
    // A year on, Bob's fixture (finished first, unpinned again by the matrix) is old enough.
    const later = await call('projection', 'GET', `/api/v1/retention/preview?at=${new Date(Date.now() + 365 * 86_400_000).toISOString()}`, admin);
    expect(later.body.total).toBeGreaterThan(0);
    expect(later.body.samples.map((s: { id: string }) => s.id)).toContain(bobsTask);
    for (const path of ['/api/v1/retention/preview?at=tomorrow', '/api/v1/retention/run?at=2026-13-01T00:00:00Z']) {
      const bad = await call('projection', path.includes('run') ? 'POST' : 'GET', path, admin);
      expect(bad.status).toBe(400);
      expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: 'at' }] });
    }
  });
});
