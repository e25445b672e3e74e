// Silent Tasks: the scheduler's periodic Tasks that ran well are left out of the list, its export and
// its live stream unless silent=true; one that failed is shown like any other.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide, evolve, initialState, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, openEventStream, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import type { ScenarioCommit } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let admin: string;

const id = (n: number) => `0190a7e2-0000-7000-8000-0000000005${String(n).padStart(2, '0')}`;

/** A Task of one SubTask created by `createdBy`, run to success or to a permanent failure. */
function life(taskId: string, createdBy: string, outcome: 'success' | 'failed'): ScenarioCommit[] {
  const at = '2026-12-01T10:00:00.000Z';
  const commands: TaskCommand[] = [
    { type: 'CreateTask', taskId, at, actor: createdBy, name: `Node sync ${taskId.slice(-2)}`, taskType: 'pve.node_sync', createdBy, subtasks: [{ id: `${taskId}-s`, key: 's', name: 'Sync', action: 'node_sync', queue: 'pve_periodic', params: {} }] },
    { type: 'RecordAttemptStarted', taskId, at, actor: 'worker', subTaskId: `${taskId}-s`, generation: 1, attempt: 1, jobId: `${taskId}-s:1`, queue: 'pve_periodic', jobSeq: 1, deliveryId: 'd1' },
    outcome === 'success'
      ? { type: 'RecordSubTaskSucceeded', taskId, at, actor: 'worker', subTaskId: `${taskId}-s`, generation: 1, attempt: 1, responseCode: '200', responseMessage: 'OK' }
      : { type: 'RecordAttemptFailed', taskId, at, actor: 'worker', subTaskId: `${taskId}-s`, generation: 1, attempt: 1, responseCode: '500', responseMessage: 'pve down', retryInMs: null, permanent: true },
  ];
  let state: TaskState = initialState;
  return commands.map((command) => {
    const events: TaskEvent[] = decide(command, state);
    state = events.reduce(evolve, state);
    return { taskId, events };
  });
}

const SCHEDULER = 'service:scheduler';

beforeAll(async () => {
  database = await createTestDatabase('vle_silent');
  log = await openTestLog('silent');
  service = await bootstrap({ env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' } });
  admin = await testToken();
});

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function ids(query: string): Promise<string[]> {
  const response = await fetch(`${service.url}/api/v1/tasks?limit=500${query}`, { headers: bearer(admin) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Array<{ id: string }> }).items.map((t) => t.id).sort();
}

describe('silent Tasks', () => {
  it('leaves the periodic Tasks that ran well out of the list, its export and its live stream, unless silent=true', async () => {
    const live = await openEventStream(`${service.url}/api/v1/tasks/stream`, bearer(admin));
    const liveAll = await openEventStream(`${service.url}/api/v1/tasks/stream?silent=true`, bearer(admin));
    await waitFor(() => live.events.some((e) => e.event === 'ready') && liveAll.events.some((e) => e.event === 'ready'), { description: 'the streams', timeoutMs: 10_000 });
    const last = await log.append([...life(id(1), SCHEDULER, 'success'), ...life(id(2), SCHEDULER, 'success'), ...life(id(3), SCHEDULER, 'failed'), ...life(id(4), 'alice', 'success')]);
    await waitFor(async () => (await fetch(`${service.url}/api/v1/projection/status`, { headers: bearer(admin) }).then((r) => r.json()) as { appliedSeq: number }).appliedSeq >= last, { description: 'the projection', timeoutMs: 30_000 });
    expect(await ids('')).toEqual([id(3), id(4)]);
    expect(await ids('&silent=false')).toEqual([id(3), id(4)]);
    expect(await ids('&silent=true')).toEqual([id(1), id(2), id(3), id(4)]);
    // A search for the scheduler's Tasks still hides the silent ones by default.
    expect(await ids(`&q=${encodeURIComponent(`user = "${SCHEDULER}"`)}`)).toEqual([id(3)]);
    const csv = await fetch(`${service.url}/api/v1/tasks/export.csv`, { headers: bearer(admin) }).then((r) => r.text());
    expect([id(1), id(2), id(3), id(4)].map((t) => csv.includes(t))).toEqual([false, false, true, true]);
    const shown = (s: typeof live) => new Set(s.events.filter((e) => e.event === 'task' && JSON.parse(e.data).status === 'success').map((e) => JSON.parse(e.data).id));
    await waitFor(() => shown(liveAll).size === 3, { description: 'every success on the silent=true stream', timeoutMs: 10_000 });
    expect([...shown(liveAll)].sort()).toEqual([id(1), id(2), id(4)]);
    // The default stream: a silent Task that was shown while it ran leaves when it succeeds.
    expect([...shown(live)]).toEqual([id(4)]);
    for (const t of [id(1), id(2)]) expect(live.events.filter((e) => e.data.includes(t)).at(-1)?.event ?? 'never shown').toMatch(/^(leave|never shown)$/);
    live.close();
    liveAll.close();
  });

  it('refuses a silent that is not true or false', async () => {
    const response = await fetch(`${service.url}/api/v1/tasks?silent=1`, { headers: bearer(admin) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { violations: Array<{ field: string }> }).violations[0]!.field).toBe('silent');
  });
});
