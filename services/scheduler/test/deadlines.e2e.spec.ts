// The deadlines of a Task kept by the scheduler, with task-api, integration-worker (the bench queue)
// and projection as processes (the System of task-api's e2e tests) and two scheduler replicas: a
// delayed start at its time and once, a missed startBefore, and a Task timeout.

import { fileURLToPath } from 'node:url';
import type { TaskEvent } from '@vle/domain';
import { startService, waitFor, type ServiceProcess } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const schedulerEntry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** Upper bound of the delay between a deadline and its effect on a loaded 2-core machine. */
const LATE_BOUND_MS = 1500;

const system = new System();
let a: ServiceProcess;
let b: ServiceProcess;

// No periodic schedules: only the deadlines of the Tasks below reach task-api.
const schedulerEnv = () => ({ ...system.env, SCHEDULER_DISABLED: 'pve-node-sync,event-lifecycle,mail-cleanup' });

beforeAll(async () => {
  await system.start();
  [a, b] = await Promise.all([startService(schedulerEntry, schedulerEnv()), startService(schedulerEntry, schedulerEnv())]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await system.stop();
});

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
const ofType = (events: readonly TaskEvent[], type: TaskEvent['type']) => events.filter((e) => e.type === type);

describe('deadlines kept by two scheduler processes', () => {
  it('start a Task at its startAt, not before, once, with one scheduler restarted in between', async () => {
    const startAt = inSeconds(3);
    const { status, body } = await system.post('/api/v1/tasks', { name: 'delayed', createdBy: 'e2e', startAt, subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    expect(status).toBe(201);
    expect(body.status).toBe('scheduled');
    await a.stop();
    await a.restart();

    const task = await system.finished(body.taskId, 15_000);
    expect(task.status).toBe('success');
    const events = await system.events(body.taskId);
    const started = ofType(events, 'TaskStarted');
    expect(started).toHaveLength(1);
    const lateMs = Date.parse(started[0]!.at) - Date.parse(startAt);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(LATE_BOUND_MS);
    expect(started[0]!.actor).toBe('service:scheduler');
  });

  it('end a queued Task that no worker started before its startBefore: timed_out, START_DEADLINE_MISSED', async () => {
    // pve_vm_actions has no worker in this system: the SubTask stays queued.
    const startBefore = inSeconds(2);
    const { status, body } = await system.post('/api/v1/tasks', {
      name: 'never picked up',
      createdBy: 'e2e',
      startBefore,
      subtasks: [
        { key: 'a', name: 'Start VM', action: 'start', queue: 'pve_vm_actions', objectType: 'vm', objectId: '100' },
        { key: 'b', name: 'After', action: 'noop', queue: 'bench', dependsOn: ['a'] },
      ],
    });
    expect(status).toBe(201);
    const task = await system.finished(body.taskId, 15_000);
    expect(task.status).toBe('timed_out');
    expect(task.endReason).toBe('START_DEADLINE_MISSED');
    expect(task.subtasks.map((s) => [s.status, s.responseCode])).toEqual([
      ['cancelled', 'START_DEADLINE_MISSED'],
      ['cancelled', 'START_DEADLINE_MISSED'],
    ]);
    const events = await system.events(body.taskId);
    const missed = ofType(events, 'TaskStartDeadlineMissed');
    expect(missed).toHaveLength(1);
    expect(Date.parse(missed[0]!.at) - Date.parse(startBefore)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(missed[0]!.at) - Date.parse(startBefore)).toBeLessThan(LATE_BOUND_MS);

    const view = await waitFor(async () => {
      const { status: code, body: detail } = await system.query(`/api/v1/tasks/${body.taskId}`);
      return code === 200 && detail.status === 'timed_out' ? detail : undefined;
    }, { description: 'the read model to show the missed start', timeoutMs: 10_000 });
    expect(view.statusReason).toBe('START_DEADLINE_MISSED');
    expect(view.subtasks.map((s: { status: string; responseCode: string }) => [s.status, s.responseCode])).toEqual([
      ['cancelled', 'START_DEADLINE_MISSED'],
      ['cancelled', 'START_DEADLINE_MISSED'],
    ]);
  });

  it('end a Task whose startAt passed while every scheduler was down, once its startBefore passed too', async () => {
    await Promise.all([a.stop(), b.stop()]);
    const startBefore = inSeconds(2);
    const { body } = await system.post('/api/v1/tasks', { name: 'missed while down', createdBy: 'e2e', startAt: inSeconds(1), startBefore, subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    expect(body.status).toBe('scheduled');
    await waitFor(() => Date.now() > Date.parse(startBefore) + 500, { description: 'startBefore to pass', timeoutMs: 10_000, intervalMs: 100 });
    await Promise.all([a.restart(), b.restart()]);

    const task = await system.finished(body.taskId, 15_000);
    expect(task).toMatchObject({ status: 'timed_out', endReason: 'START_DEADLINE_MISSED', started: false });
    const events = await system.events(body.taskId);
    expect(ofType(events, 'TaskStarted')).toHaveLength(0);
    expect(ofType(events, 'TaskStartDeadlineMissed')).toHaveLength(1);
  });

  it('time a running Task out after timeoutSeconds with its open SubTasks, and refuse the late result', async () => {
    const { status, body } = await system.post('/api/v1/tasks', {
      name: 'too slow',
      createdBy: 'e2e',
      timeoutSeconds: 2,
      subtasks: [
        { key: 'slow', name: 'Slow', action: 'sleep', queue: 'bench', params: { ms: 4000 } },
        { key: 'next', name: 'Next', action: 'noop', queue: 'bench', dependsOn: ['slow'] },
      ],
    });
    expect(status).toBe(201);
    const createdAt = Date.now();
    const task = await system.finished(body.taskId, 15_000);
    expect(task).toMatchObject({ status: 'timed_out', endReason: 'TASK_TIMEOUT' });
    expect(task.subtasks.map((s) => [s.key, s.status, s.responseCode])).toEqual([
      ['slow', 'timed_out', 'TASK_TIMEOUT'],
      ['next', 'cancelled', 'TASK_TIMEOUT'],
    ]);
    const timedOut = ofType(await system.events(body.taskId), 'TaskTimedOut');
    expect(timedOut).toHaveLength(1);
    expect(Date.parse(timedOut[0]!.at) - Date.parse(task.createdAt)).toBeGreaterThanOrEqual(2000);
    expect(Date.parse(timedOut[0]!.at) - Date.parse(task.createdAt)).toBeLessThan(2000 + LATE_BOUND_MS);

    // The worker's sleep ends at 4 s; its success is stale by then and changes nothing.
    const consumer = system.topology.jobConsumer({ queue: 'bench', maxRetries: 3, retryIntervalsMs: [], attemptTimeoutMs: 0, concurrency: 256 }).durable_name!;
    await waitFor(async () => {
      const info = await system.jsm.consumers.info(system.topology.jobStream.name, consumer);
      return Date.now() - createdAt > 4000 && info.num_ack_pending === 0 && info.num_pending === 0;
    }, { description: 'the slow job to be settled', timeoutMs: 20_000 });
    const after = await system.task(body.taskId);
    expect(after.status).toBe('timed_out');
    expect(ofType(await system.events(body.taskId), 'SubTaskSucceeded')).toHaveLength(0);
  });
});
