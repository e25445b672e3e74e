// The history routes over HTTP on a booted projection service (in process): the Task's commits are
// appended to NATS, the service projects them, and the answers are read from the log (a SubTask row
// altered in PostgreSQL does not change an attempt), scoped and permitted like the detail route.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type SubTaskDraft, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { JetStreamEventStore } from '@vle/event-store';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import type { ScenarioCommit } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

const TASK = '0190a7e2-0000-7000-8000-00000000b001';
const OTHER = '0190a7e2-0000-7000-8000-00000000b002';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let lastSeq: number;

const step = (key: string, extra: Partial<SubTaskDraft> = {}): SubTaskDraft => ({ id: `st-${key}`, key, name: `Clone ${key}`, action: 'vm.clone', queue: 'pve_vm_clone', objectType: 'vm', objectId: '100', params: { vmid: 100, password: 'hunter2' }, ...extra });

function commitsOf(taskId: string, commands: ((taskId: string) => TaskCommand)[]): ScenarioCommit[] {
  let state: TaskState = initialState;
  return commands.map((command) => {
    const events = decide(command(taskId), state);
    state = events.reduce(evolve, state);
    return { taskId, events };
  });
}

const worker = (s: number) => (taskId: string) => ({ taskId, at: at(s), actor: 'worker:pve_vm_clone' });
const start = (s: number, id: string, generation: number, attempt: number) => (taskId: string): TaskCommand => ({
  ...worker(s)(taskId),
  type: 'RecordAttemptStarted',
  subTaskId: id,
  generation,
  attempt,
  jobId: `${id}:${generation}`,
  queue: 'pve_vm_clone',
  jobSeq: generation,
  deliveryId: `delivery-${generation}-${attempt}`,
});
const fail = (s: number, id: string, generation: number, attempt: number, responseMessage: string, retryInMs: number | null) => (taskId: string): TaskCommand => ({
  ...worker(s)(taskId),
  type: 'RecordAttemptFailed',
  subTaskId: id,
  generation,
  attempt,
  responseCode: retryInMs === null ? '550' : '500',
  responseMessage,
  retryInMs,
  permanent: retryInMs === null,
});

/** Alice's Task of event 42: st-a fails twice, bob's retry (through the backend) makes it succeed, st-c is skipped, then it is cancelled. */
const lifeOfTask: ((taskId: string) => TaskCommand)[] = [
  (taskId) => ({ type: 'CreateTask', taskId, at: at(0), actor: 'alice', name: 'Clone for event 42', createdBy: 'alice', eventId: '42', subtasks: [step('a'), step('b', { dependsOn: ['a'] }), step('c')] }),
  start(1, 'st-a', 1, 1),
  fail(2, 'st-a', 1, 1, 'lock timeout', 10_000),
  start(12, 'st-a', 1, 2),
  fail(13, 'st-a', 1, 2, 'no space left on storage', null),
  start(14, 'st-c', 1, 1),
  fail(15, 'st-c', 1, 1, 'template missing', null),
  (taskId) => ({ taskId, at: at(60), actor: 'openvle-backend', onBehalfOf: 'bob', type: 'RetrySubTask', subTaskId: 'st-a', retryWindowMs: 24 * 3600_000 }),
  start(61, 'st-a', 2, 1),
  (taskId) => ({ ...worker(65)(taskId), type: 'RecordSubTaskSucceeded', subTaskId: 'st-a', generation: 2, attempt: 1, responseCode: '200', responseMessage: 'cloned as 201' }),
  (taskId) => ({ taskId, at: at(70), actor: 'admin', type: 'SkipSubTask', subTaskId: 'st-c', reason: 'template retired' }),
  (taskId) => ({ taskId, at: at(80), actor: 'admin', type: 'CancelTask', reason: 'event moved' }),
];

const tokens = {
  admin: testToken(),
  tasksOnly: testToken({ subject: 'viewer', permissions: ['tasks_read'] }),
  none: testToken({ subject: 'nobody', permissions: ['inventory_read'] }),
  outOfScope: testToken({ subject: 'teacher', permissions: ['tasks_read', 'sub_tasks_read'], scope: { events: ['999'] } }),
  alice: testToken({ subject: 'alice', permissions: ['tasks_read', 'sub_tasks_read'], scope: { own: true } }),
};

async function get(path: string, token: Promise<string> = tokens.admin): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(await token) });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_history');
  log = await openTestLog('projhist');
  // Another Task in between: a Task's commits are not the stream's.
  const commits = commitsOf(TASK, lifeOfTask).flatMap((c, i) => (i === 3 ? [c, ...commitsOf(OTHER, lifeOfTask.slice(0, 2))] : [c]));
  lastSeq = await log.append(commits);
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' },
  });
  await waitFor(async () => (await get('/api/v1/projection/status')).body.appliedSeq >= lastSeq, { description: 'the projection to catch up', timeoutMs: 30_000 });
});

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

describe('GET /api/v1/tasks/:id/history', () => {
  it('reads every event of the Task from the log, in order, with what it changed and who did it', async () => {
    const { status, body } = await get(`/api/v1/tasks/${TASK}/history`);
    expect(status).toBe(200);
    const { commits } = await (await JetStreamEventStore.connect<TaskEvent>(log.nc, log.topology)).load(TASK);
    // More commits than the direct gets read: the rest came through an ordered consumer.
    expect(commits.length).toBeGreaterThan(8);
    expect(body.taskId).toBe(TASK);
    expect(body.lastSeq).toBe(commits.at(-1)!.seq);
    expect(body.nextAfterSeq).toBeNull();
    expect(body.events.map((e: any) => [e.seq, e.index, e.type])).toEqual(commits.flatMap((c) => c.events.map((e, i) => [c.seq, i, e.type])));
    expect(body.events.find((e: any) => e.type === 'SubTaskRetryRequested')).toMatchObject({ actor: 'openvle-backend', onBehalfOf: 'bob', subTaskId: 'st-a', generation: 2, at: at(60) });
    expect(body.events.find((e: any) => e.type === 'SubTaskSkipped')).toMatchObject({ actor: 'admin', subTaskId: 'st-c', changes: { subTask: { status: { from: 'failed', to: 'skipped' } }, reason: 'template retired' } });
    expect(body.events.at(-1)).toMatchObject({ type: 'TaskCancelRequested', actor: 'admin', changes: { task: { status: { from: 'running', to: 'cancelled' } }, reason: 'event moved', cancelledSubTasks: 1 } });
    expect(JSON.stringify(body)).not.toMatch(/hunter2|password|params/);
  });

  it('lists each attempt of every generation with its worker and its own message', async () => {
    const { body } = await get(`/api/v1/tasks/${TASK}/history`);
    expect(body.attempts.map((a: any) => [a.subTaskId, a.generation, a.attempt, a.outcome, a.responseMessage, a.worker.deliveryId])).toEqual([
      ['st-a', 1, 1, 'retrying', 'lock timeout', 'delivery-1-1'],
      ['st-a', 1, 2, 'failed', 'no space left on storage', 'delivery-1-2'],
      ['st-c', 1, 1, 'failed', 'template missing', 'delivery-1-1'],
      ['st-a', 2, 1, 'succeeded', 'cloned as 201', 'delivery-2-1'],
    ]);
    expect(body.attempts[0]).toMatchObject({ startedAt: at(1), finishedAt: at(2), durationMs: 1000, worker: { actor: 'worker:pve_vm_clone' }, nextAttemptAt: at(12) });
  });

  it('pages by afterSeq and limit, the pages together being the whole history', async () => {
    const whole = (await get(`/api/v1/tasks/${TASK}/history`)).body;
    const events: unknown[] = [];
    const attempts: unknown[] = [];
    let afterSeq = 0;
    for (let page = 0; page < 20; page++) {
      const { status, body } = await get(`/api/v1/tasks/${TASK}/history?limit=2&afterSeq=${afterSeq}`);
      expect(status).toBe(200);
      events.push(...body.events);
      attempts.push(...body.attempts);
      if (body.nextAfterSeq === null) break;
      afterSeq = body.nextAfterSeq;
    }
    expect(events).toEqual(whole.events);
    expect(attempts).toEqual(whole.attempts);
  });

  it('holds only the Task-level events without sub_tasks_read', async () => {
    const { status, body } = await get(`/api/v1/tasks/${TASK}/history`, tokens.tasksOnly);
    expect(status).toBe(200);
    expect(body.events.map((e: any) => e.type)).toEqual(['TaskCreated', 'TaskCancelRequested']);
    expect(body).not.toHaveProperty('attempts');
    expect(JSON.stringify(body)).not.toContain('st-a');
  });

  it('is not found outside the token scope, nor for an unknown Task; refused without tasks_read', async () => {
    expect(await get(`/api/v1/tasks/${TASK}/history`, tokens.outOfScope)).toEqual({ status: 404, body: { code: 'TASK_NOT_FOUND', message: expect.stringContaining(TASK) } });
    expect((await get(`/api/v1/tasks/${TASK}/history`, tokens.alice)).status).toBe(200);
    expect((await get('/api/v1/tasks/0190a7e2-0000-7000-8000-00000000dead/history')).body.code).toBe('TASK_NOT_FOUND');
    expect(await get(`/api/v1/tasks/${TASK}/history`, tokens.none)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', message: expect.stringContaining('tasks_read') } });
  });

  it.each([
    ['/api/v1/tasks/42/history', 'id'],
    [`/api/v1/tasks/${TASK}/history?limit=0`, 'limit'],
    [`/api/v1/tasks/${TASK}/history?limit=10001`, 'limit'],
    [`/api/v1/tasks/${TASK}/history?afterSeq=-1`, 'afterSeq'],
    [`/api/v1/tasks/${TASK}/history?afterSeq=1&afterSeq=2`, 'afterSeq'],
    [`/api/v1/tasks/${TASK}/history?cursor=x`, 'cursor'],
  ])('answers 400 naming the field for %s', async (path, field) => {
    expect(await get(path)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', message: expect.stringContaining(field), violations: [{ field }] } });
  });
});

describe('GET /api/v1/tasks/:id/subtasks/:subTaskId', () => {
  it('returns the SubTask of the read model with its parent Task, its creator and its attempts from the log', async () => {
    // A row altered behind the projection's back: the attempts still say what the log says.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`UPDATE projection.sub_tasks SET response_message = 'altered' WHERE task_id = $1 AND id = 'st-a'`, [TASK]);
    await client.end();
    const { status, body } = await get(`/api/v1/tasks/${TASK}/subtasks/st-a`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: 'st-a',
      name: 'Clone a',
      action: 'vm.clone',
      status: 'success',
      generation: 2,
      attempt: 1,
      jobId: 'st-a:2',
      objectType: 'vm',
      objectId: '100',
      responseCode: '200',
      responseMessage: 'altered',
      params: { vmid: 100, password: '[REDACTED]' },
      createdAt: at(0),
      updatedAt: at(65),
      createdBy: 'alice',
      parentTask: { id: TASK, name: 'Clone for event 42', status: 'cancelled', type: null, createdBy: 'alice' },
    });
    expect(body.attempts.map((a: any) => [a.generation, a.attempt, a.outcome, a.responseMessage])).toEqual([
      [1, 1, 'retrying', 'lock timeout'],
      [1, 2, 'failed', 'no space left on storage'],
      [2, 1, 'succeeded', 'cloned as 201'],
    ]);
  });

  it('is not found for an unknown SubTask, nor outside the scope; refused without sub_tasks_read; 400 for a bad id or parameter', async () => {
    expect(await get(`/api/v1/tasks/${TASK}/subtasks/st-zzz`)).toEqual({ status: 404, body: { code: 'SUBTASK_NOT_FOUND', message: expect.stringContaining('st-zzz') } });
    expect((await get(`/api/v1/tasks/${TASK}/subtasks/st-a`, tokens.outOfScope)).body.code).toBe('TASK_NOT_FOUND');
    expect((await get('/api/v1/tasks/0190a7e2-0000-7000-8000-00000000dead/subtasks/st-a')).body.code).toBe('TASK_NOT_FOUND');
    expect(await get(`/api/v1/tasks/${TASK}/subtasks/st-a`, tokens.tasksOnly)).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', message: expect.stringContaining('sub_tasks_read') } });
    expect(await get('/api/v1/tasks/nope/subtasks/st-a')).toMatchObject({ status: 400, body: { violations: [{ field: 'id' }] } });
    expect(await get(`/api/v1/tasks/${TASK}/subtasks/${'x'.repeat(201)}`)).toMatchObject({ status: 400, body: { violations: [{ field: 'subTaskId' }] } });
    expect(await get(`/api/v1/tasks/${TASK}/subtasks/st-a?verbose=1`)).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', violations: [{ field: 'verbose' }] } });
  });
});
