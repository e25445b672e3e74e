// The query API over HTTP on a booted projection service (in process): the log is appended to NATS,
// the service projects it, and every answer is checked against the domain's own fold of the log.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type Task, type TaskState } from '@vle/domain';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import { scenario, type ScenarioCommit } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

const admin = testToken();

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let tasks: Task[];

const ORIGIN_CHILDREN = ['0190a7e2-0000-7000-8000-0000000000c1', '0190a7e2-0000-7000-8000-0000000000c2', '0190a7e2-0000-7000-8000-0000000000c3'];

/** Three child Tasks created in the same millisecond (the id breaks the tie in the order). */
function children(originTaskId: string): ScenarioCommit[] {
  return ORIGIN_CHILDREN.map((taskId) => ({
    taskId,
    events: decide(
      {
        type: 'CreateTask',
        taskId,
        at: '2026-11-22T09:00:00.000Z',
        actor: 'system',
        name: 'Send 100% mails_now',
        createdBy: 'system',
        originTaskId,
        subtasks: [{ id: `${taskId}-m`, key: 'm', name: 'Mail', action: 'mail.send', queue: 'mails', params: { apiToken: 'secret' } }],
      },
      initialState,
    ),
  }));
}

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(await admin) });
  return { status: response.status, body: await response.json() };
}

const byNewest = (a: Task, b: Task) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1);

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_api');
  log = await openTestLog('projapi');
  const all = scenario(120, 31);
  // Cut every life short at 70 %: the read model then holds running, retrying and queued Tasks too.
  const commits = [...all.slice(0, Math.floor(all.length * 0.7)), ...children(all[0]!.taskId)];
  const last = await log.append(commits);
  const states = new Map<string, TaskState>();
  for (const c of commits) states.set(c.taskId, c.events.reduce(evolve, states.get(c.taskId) ?? initialState));
  tasks = [...states.values()].map((s) => s as Task).sort(byNewest);
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' },
  });
  await waitFor(async () => (await get('/api/v1/projection/status')).body.appliedSeq >= last, { description: 'the projection to catch up', timeoutMs: 30_000 });
});

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function listAll(query: string): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await get(`/api/v1/tasks?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

describe('GET /api/v1/tasks', () => {
  it('pages through every Task newest first, each once', async () => {
    const first = await get('/api/v1/tasks');
    expect(first.body.items).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const all = await listAll('limit=7');
    expect(all.map((t) => t.id)).toEqual(tasks.map((t) => t.id));
  });

  it('answers in camelCase with what the folded state says', async () => {
    const [item] = (await get('/api/v1/tasks?limit=1')).body.items;
    const task = tasks[0]!;
    expect(item).toEqual({
      id: task.id,
      name: task.name,
      type: task.type ?? null,
      status: task.status,
      statusReason: task.endReason ?? null,
      progress: task.progress,
      createdBy: task.createdBy,
      eventId: task.eventId ?? null,
      objectType: task.objectType ?? null,
      objectId: task.objectId ?? null,
      originTaskId: task.originTaskId ?? null,
      startAt: null,
      startBefore: null,
      timeoutSeconds: null,
      startedAt: task.startedAt ?? null,
      finishedAt: task.finishedAt ?? null,
      cancelRequested: task.cancelRequested,
      manualIntervention: task.manualIntervention,
      pinned: false,
      subtaskCounts: { total: task.subtasks.length, finished: expect.any(Number), failed: expect.any(Number) },
      createdAt: task.createdAt,
      updatedAt: task.updatedAt,
      version: task.version,
      lastSeq: expect.any(Number),
      children: { total: 0, statuses: {} },
    });
  });

  it('counts the children of a parent Task by status, in the list and the detail, within the scope', async () => {
    const origin = tasks.find((t) => ORIGIN_CHILDREN.includes(t.id))!.originTaskId!;
    const statuses: Record<string, number> = {};
    for (const child of tasks.filter((t) => t.originTaskId === origin)) statuses[child.status] = (statuses[child.status] ?? 0) + 1;
    const expected = { total: 3, statuses };
    expect((await get(`/api/v1/tasks/${origin}`)).body.children).toEqual(expected);
    expect((await listAll('limit=200')).find((t) => t.id === origin).children).toEqual(expected);
    // The children were created by `system`: a token that sees only its own Tasks counts none of them.
    const parent = tasks.find((t) => t.id === origin)!;
    const own = await testToken({ subject: parent.createdBy, permissions: ['tasks_read'], scope: { own: true } });
    const response = await fetch(`${service.url}/api/v1/tasks/${origin}`, { headers: bearer(own) });
    expect(((await response.json()) as { children: unknown }).children).toEqual({ total: 0, statuses: {} });
  });

  it.each([
    ['status=failed,warning&status=cancelled', (t: Task) => ['failed', 'warning', 'cancelled'].includes(t.status)],
    ['status=running', (t: Task) => t.status === 'running'],
    ['createdBy=alice', (t: Task) => t.createdBy === 'alice'],
    ['from=2026-11-22T10:00:30Z&to=2026-11-22T10:01:00Z', (t: Task) => t.createdAt >= '2026-11-22T10:00:30.000Z' && t.createdAt < '2026-11-22T10:01:00.000Z'],
    ['from=2026-11-22&to=2026-11-22T10:00:00Z', (t: Task) => t.createdAt < '2026-11-22T10:00:00.000Z'],
    ['name=CLONE', (t: Task) => t.name.toLowerCase().includes('clone')],
    ['name=100%25%20mails_', (t: Task) => t.name.includes('100% mails_')],
    ['name=_', (t: Task) => t.name.includes('_')],
    ['objectType=vm', (t: Task) => t.objectType === 'vm'],
    ['objectType=template&objectId=1001', (t: Task) => t.objectType === 'template' && t.objectId === '1001'],
    ['eventId=42', (t: Task) => t.eventId === '42'],
    ['status=success&createdBy=bob', (t: Task) => t.status === 'success' && t.createdBy === 'bob'],
  ])('filters %s', async (query, predicate) => {
    const expected = tasks.filter(predicate).map((t) => t.id);
    expect(expected.length).toBeGreaterThan(0);
    expect((await listAll(`${query}&limit=9`)).map((t) => t.id)).toEqual(expected);
  });

  it('filters by the Task that started them', async () => {
    const origin = tasks.find((t) => ORIGIN_CHILDREN.includes(t.id))!.originTaskId!;
    const items = (await get(`/api/v1/tasks?originTaskId=${origin}`)).body.items;
    expect(items.map((t: { id: string }) => t.id)).toEqual([...ORIGIN_CHILDREN].reverse());
  });

  it.each([
    ['status=done', 'status'],
    ['from=last-week', 'from'],
    ['to=2026-02-30', 'to'],
    ['limit=501', 'limit'],
    ['limit=abc', 'limit'],
    ['cursor=bm9wZQ', 'cursor'],
    ['originTaskId=42', 'originTaskId'],
    ['objectType=printer', 'objectType'],
    ['sort=name', 'sort'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const { status, body } = await get(`/api/v1/tasks?${query}`);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field), violations: [{ field, message: expect.any(String) }] });
  });
});

describe('GET /api/v1/tasks/:id', () => {
  it('returns the Task with its SubTasks in creation order, attempts, job ids, responses', async () => {
    const task = tasks.find((t) => t.subtasks.some((s) => s.failedAttempts > 0) && t.subtasks.length > 1)!;
    const { status, body } = await get(`/api/v1/tasks/${task.id}`);
    expect(status).toBe(200);
    expect(body.id).toBe(task.id);
    expect(body.subtasks).toEqual(
      task.subtasks.map((s) => ({
        id: s.id,
        key: s.key,
        name: s.name,
        action: s.action,
        queue: s.queue,
        status: s.status,
        generation: s.generation,
        attempt: s.attempt,
        failedAttempts: s.failedAttempts,
        executions: s.executions,
        jobId: s.jobId ?? null,
        objectType: s.objectType ?? null,
        objectId: s.objectId ?? null,
        params: { ...s.params, password: '[REDACTED]' },
        dependsOn: s.dependsOn,
        bestEffort: s.bestEffort,
        timeoutSeconds: s.timeoutSeconds ?? null,
        responseCode: s.responseCode ?? null,
        responseMessage: s.responseMessage ?? null,
        nextAttemptAt: s.nextAttemptAt ?? null,
        queuedAt: s.queuedAt ?? null,
        startedAt: s.startedAt ?? null,
        finishedAt: s.finishedAt ?? null,
        createdAt: task.createdAt,
        updatedAt: s.updatedAt,
      })),
    );
  });

  it('answers 404 with a clear body for an unknown id, 400 for one that is no uuid', async () => {
    const unknown = await get('/api/v1/tasks/0190a7e2-0000-7000-8000-00000000dead');
    expect(unknown).toEqual({ status: 404, body: { code: 'TASK_NOT_FOUND', message: expect.stringContaining('0190a7e2-0000-7000-8000-00000000dead') } });
    const bad = await get('/api/v1/tasks/42');
    expect(bad).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', violations: [{ field: 'id' }] } });
  });
});

describe('GET /health/ready and /api/v1/projection/status', () => {
  it('reports NATS and PostgreSQL, and a lag of 0', async () => {
    expect(await get('/health/ready')).toMatchObject({ status: 200, body: { status: 'ok', checks: { nats: { status: 'up' }, postgres: { status: 'up' } } } });
    expect((await get('/api/v1/projection/status')).body).toMatchObject({ name: 'tasks', running: true, lag: 0 });
  });
});
