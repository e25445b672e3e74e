// Two scheduler processes on an accelerated clock (4 virtual hours per real second, from a fixed
// instant; SCHEDULER_CLOCK_* exist for tests only) and a task-api process: over two simulated days
// every periodic slot makes exactly one Task, reported as created by exactly one of the replicas.

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { fileURLToPath } from 'node:url';
import { Topology } from '@vle/contracts';
import { isTaskType, type TaskEvent } from '@vle/domain';
import { connectNats, deleteTopology, JetStreamEventStore } from '@vle/event-store';
import { killAllServices, startService, testNamespace, waitFor, type ServiceProcess } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { periodicSchedules } from '../src/schedules/periodic-schedules.js';
import { slotsBetween } from '../src/schedules/slots.js';
import { slotsBySchedule, tasksInLog } from '../src/testing/periodic-tasks-in-log.js';

const schedulerEntry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const taskApiEntry = fileURLToPath(new URL('../../task-api/dist/main.js', import.meta.url));
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const START = new Date('2026-03-02T00:30:00Z');

const namespace = testNamespace('sched');
const topology = new Topology({ namespace });
let nc: NatsConnection | undefined;
let jsm: JetStreamManager | undefined;

afterAll(async () => {
  await killAllServices();
  if (jsm) await deleteTopology(jsm, topology);
  await nc?.close();
});

const createdLines = (...replicas: ServiceProcess[]) => replicas.flatMap((r) => r.output().split('\n')).filter((line) => /slot \S+: created Task /.test(line));

describe('scheduler processes on an accelerated clock', () => {
  it('create exactly one Task per slot between two replicas, and stop gracefully', async () => {
    const common = { NATS_URL, NATS_NAMESPACE: namespace, LOG_FORMAT: 'text' };
    await startService(taskApiEntry, { ...common, WORKER_MAX_RETRY: '3', LOG_LEVEL: 'warn' });
    const env = { ...common, LOG_LEVEL: 'log', WORKER_PVE_PERIODIC_INTERVAL: '3600', SCHEDULER_CLOCK_START: START.toISOString(), SCHEDULER_CLOCK_SPEED: String(4 * 3600) };
    // Booted a few ms apart, their clocks differ by minutes of virtual time: skewed replicas, as in life.
    const [a, b] = await Promise.all([startService(schedulerEntry, env), startService(schedulerEntry, env)]);
    expect(a.output()).toContain('test clock: starts at 2026-03-02T00:30');

    // Two simulated days: the daily slots of 2 March and 3 March have passed (~13 s). A node sync slot
    // is 250 ms of real time apart, ample for a request even on a loaded machine.
    await waitFor(() => createdLines(a, b).some((line) => line.includes('pve-node-sync slot 2026-03-03T03:00:00.000Z')), {
      description: 'the node sync of 3 March 03:00 UTC',
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    expect(await a.stop()).toEqual({ code: 0, signal: null });
    expect(await b.stop()).toEqual({ code: 0, signal: null });

    nc = await connectNats(NATS_URL, 'scheduler-e2e');
    jsm = await jetstreamManager(nc);
    const tasks = await tasksInLog(jsm, new JetStreamEventStore<TaskEvent>(jetstream(nc), jsm, topology), topology);
    const found = slotsBySchedule(tasks);
    const settings = { pveNodeSyncSeconds: 3600, eventsStartPrepTimeDays: 7, eventsEndPrepTimeDays: 7, dailyCatchUpHours: 48 };
    for (const schedule of periodicSchedules(settings)) {
      if (!isTaskType(schedule.type)) {
        expect(found[schedule.name]).toBeUndefined();
        continue;
      }
      // From the catch-up at boot to the last slot sent, without a gap.
      const last = found[schedule.name]!.at(-1)!;
      expect(found[schedule.name]).toEqual(slotsBetween(schedule.when, new Date(START.getTime() - schedule.lookBackMs), new Date(last)).map((d) => d.toISOString()));
    }
    expect(found['pve-node-sync']!.length).toBeGreaterThanOrEqual(1 + 27); // 00:00 on 2 March to 03:00 on 3 March
    if (isTaskType('mail.cleanup')) expect(found['mail-cleanup']!.slice(0, 4)).toEqual(['2026-02-28T02:00:00.000Z', '2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-03T02:00:00.000Z']);
    expect(found['pve-node-sync']![0]).toBe(new Date(START.getTime() - 30 * 60_000).toISOString());
    expect(tasks.every((t) => t.commits >= 1 && t.created.data.createdBy === 'service:scheduler' && t.created.actor === 'service:scheduler')).toBe(true);
    // Each Task was reported created by exactly one replica; the other was told it existed.
    expect(createdLines(a, b)).toHaveLength(tasks.length);
    expect(new Set(tasks.map((t) => t.created.taskId)).size).toBe(tasks.length);
  });
});
