// The history of a Task of 10,000 SubTasks (some 20,000 commits, 30,000 events) over HTTP: read from
// the log through an ordered consumer, paged, each page and the SubTask route answered in seconds.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, evolveAll, initialState, type CreateTask, type Task, type TaskCommand, type TaskState } from '@vle/domain';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import type { ScenarioCommit } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

const TASK = '0190a7e2-0000-7000-8000-00000000c001';
const SIZE = 10_000;
const AT = '2026-11-22T10:00:00.000Z';
const subTaskId = (i: number) => `0190a7e2-0000-7000-8000-${String(i).padStart(12, '0')}`;

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let commits: ScenarioCommit[];
const admin = testToken();

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(await admin) });
  return { status: response.status, body: await response.json() };
}

/** The Task created in parts (as task-api does past a commit's size), then every SubTask run once. */
function life(): ScenarioCommit[] {
  const create: CreateTask = {
    type: 'CreateTask',
    taskId: TASK,
    at: AT,
    actor: 'alice',
    name: 'Clone a big lab',
    createdBy: 'alice',
    maxCommitBytes: 900_000,
    subtasks: Array.from({ length: SIZE }, (_, i) => ({ id: subTaskId(i), key: `k${i}`, name: `Step ${i}`, action: 'noop', queue: 'bench', params: { i } })),
  };
  const out: ScenarioCommit[] = [];
  let state: TaskState = initialState;
  const next = (command: TaskCommand) => {
    const events = decide(command, state);
    state = evolveAll(state, events);
    if (events.length > 0) out.push({ taskId: TASK, events });
  };
  do next(create);
  while ((state as Task).planning !== undefined);
  for (const s of (state as Task).subtasks) {
    const ref = { taskId: TASK, at: AT, actor: 'worker:bench', subTaskId: s.id, generation: 1, attempt: 1 };
    next({ ...ref, type: 'RecordAttemptStarted', jobId: `${s.id}:1`, queue: 'bench', jobSeq: 1, deliveryId: `d-${s.id}` });
    next({ ...ref, type: 'RecordSubTaskSucceeded', responseCode: '200', responseMessage: `done ${s.key}` });
  }
  expect((state as Task).status).toBe('success');
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_history_large');
  log = await openTestLog('projhistbig');
  commits = life();
  const last = await log.append(commits);
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' },
  });
  await waitFor(async () => (await get('/api/v1/projection/status')).body.appliedSeq >= last, { description: 'the projection to catch up', timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

describe('the history of a Task of 10,000 SubTasks', () => {
  it('comes page by page, every event and attempt once', async () => {
    const total = commits.reduce((n, c) => n + c.events.length, 0);
    let afterSeq = 0;
    let events = 0;
    const attempts = new Set<string>();
    for (let pages = 1; ; pages++) {
      const { status, body } = await get(`/api/v1/tasks/${TASK}/history?limit=10000&afterSeq=${afterSeq}`);
      expect(status).toBe(200);
      expect(body.events.length).toBeLessThan(10_000 + 2000);
      events += body.events.length;
      for (const a of body.attempts) attempts.add(`${a.subTaskId}:${a.generation}:${a.attempt}:${a.outcome}`);
      if (body.nextAfterSeq === null) break;
      expect(pages).toBeLessThan(5);
      afterSeq = body.nextAfterSeq;
    }
    expect({ events, attempts: attempts.size }).toEqual({ events: total, attempts: SIZE });
  });

  it('answers for its last SubTask with its attempt', async () => {
    const { status, body } = await get(`/api/v1/tasks/${TASK}/subtasks/${subTaskId(SIZE - 1)}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: subTaskId(SIZE - 1), status: 'success', parentTask: { id: TASK, status: 'success' } });
    expect(body.attempts).toEqual([expect.objectContaining({ outcome: 'succeeded', responseMessage: `done k${SIZE - 1}`, worker: { actor: 'worker:bench', deliveryId: `d-${subTaskId(SIZE - 1)}` } })]);
  });
});
