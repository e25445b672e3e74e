// Two scheduler replicas over a simulated week, against task-api's real command intake (booted in
// process) on the real NATS: every periodic slot must make exactly one Task, counted in the event log.

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology, type CreateTaskJson, type CreateTaskReplyJson } from '@vle/contracts';
import { isTaskType, type TaskEvent } from '@vle/domain';
import { connectNats, deleteTopology, JetStreamEventStore } from '@vle/event-store';
import type { RunningService } from '@vle/service-kit';
import { bootstrap as bootstrapTaskApi } from '@vle/task-api';
import { SERVICE_IDENTITIES } from '@vle/auth';
import { freePort, testCredentials, testNamespace } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slotsBySchedule, tasksInLog } from '../testing/periodic-tasks-in-log.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { activeSchedules, periodicSchedules, type PeriodicSchedule } from './periodic-schedules.js';
import { PeriodicScheduler } from './periodic-scheduler.js';
import { slotsBetween } from './slots.js';
import { NatsTaskCreator, type TaskCreator } from '@vle/task-client';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-03-02T00:30:00Z');
const END = new Date(T0.getTime() + 7 * DAY);

const namespace = testNamespace('sched');
const topology = new Topology({ namespace });
let taskApi: RunningService;
let jsm: JetStreamManager;
let store: JetStreamEventStore<TaskEvent>;
const connections: NatsConnection[] = [];
const quiet = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

/** One replica's view of task-api: its own NATS connection, counting what the replies said. */
class CountingCreator implements TaskCreator {
  created = 0;
  existing = 0;
  constructor(private readonly inner: TaskCreator) {}
  async create(command: CreateTaskJson): Promise<CreateTaskReplyJson> {
    const reply = await this.inner.create(command);
    if (reply.existing) this.existing++;
    else this.created++;
    return reply;
  }
}

async function replica(clock: VirtualClock, schedules: PeriodicSchedule[]): Promise<{ scheduler: PeriodicScheduler; tasks: CountingCreator }> {
  const nc = await connectNats(NATS_URL, 'scheduler-int');
  connections.push(nc);
  const tasks = new CountingCreator(new NatsTaskCreator({ nc, topology, credentials: testCredentials(SERVICE_IDENTITIES.scheduler) }));
  const scheduler = new PeriodicScheduler({ clock, schedules, tasks, logger: quiet, retryDelayMs: 60_000 });
  scheduler.start();
  return { scheduler, tasks };
}

beforeAll(async () => {
  taskApi = await bootstrapTaskApi({
    env: { NATS_URL, NATS_NAMESPACE: namespace, PORT: String(await freePort()), WORKER_MAX_RETRY: '3', LOG_LEVEL: 'warn', LOG_FORMAT: 'text' },
  });
  const nc = await connectNats(NATS_URL, 'scheduler-int-check');
  connections.push(nc);
  jsm = await jetstreamManager(nc);
  store = new JetStreamEventStore<TaskEvent>(jetstream(nc), jsm, topology);
});

afterAll(async () => {
  await taskApi?.close();
  if (jsm) await deleteTopology(jsm, topology);
  await Promise.all(connections.map((nc) => nc.close()));
});

describe('two scheduler replicas over a simulated week', () => {
  it('create exactly one Task per periodic slot, as the scheduler\'s identity', async () => {
    const settings = { pveNodeSyncSeconds: 3600, eventsStartPrepTimeDays: 1, eventsEndPrepTimeDays: 1, dailyCatchUpHours: 48 };
    // The schedules that make Tasks (the retention's is a request to the projection).
    const schedules = activeSchedules(periodicSchedules(settings), { disabled: [], knownType: isTaskType, logger: quiet }).filter((s) => s.request === undefined);
    const clock = new VirtualClock(T0);
    const a = await replica(clock, schedules);
    const b = await replica(clock, schedules);
    await clock.run(END, 2);

    const tasks = await tasksInLog(jsm, store, topology);
    // Slots by schedule: the week's, plus at boot the last node sync slot and the daily slots of the last 48 h.
    const expected = Object.fromEntries(schedules.map((s) => [s.name, slotsBetween(s.when, new Date(T0.getTime() - s.lookBackMs), END).map((d) => d.toISOString())]));
    const found = slotsBySchedule(tasks);
    expect(found).toEqual(expected);

    const count = (name: string, from: Date) => (found[name] ?? []).filter((slot) => Date.parse(slot) > from.getTime()).length;
    expect(count('pve-node-sync', T0)).toBe(168);
    expect(count('pve-node-sync', new Date(0))).toBe(169);
    expect(count('event-lifecycle', T0)).toBe(isTaskType('event.lifecycle') ? 7 : 0);
    expect(count('mail-cleanup', T0)).toBe(isTaskType('mail.cleanup') ? 7 : 0);
    expect(tasks.every((t) => t.commits === 1 && t.created.data.createdBy === 'service:scheduler' && t.created.actor === 'service:scheduler')).toBe(true);
    expect(new Set(tasks.map((t) => t.created.data.type))).toEqual(new Set(schedules.map((s) => s.type)));

    // Both replicas sent every slot; task-api created each once and answered the other "existing".
    const total = tasks.length;
    expect(a.tasks.created + b.tasks.created).toBe(total);
    expect(a.tasks.existing + b.tasks.existing).toBe(total);
    expect(a.tasks.created + a.tasks.existing).toBe(total);

    // A third replica booting late catches up its look-back: nothing new.
    const late = await replica(clock, schedules);
    await clock.run(END, 3);
    expect(late.tasks.created).toBe(0);
    expect(late.tasks.existing).toBeGreaterThan(0);
    expect(await tasksInLog(jsm, store, topology)).toHaveLength(total);

    await Promise.all([a.scheduler.stop(), b.scheduler.stop(), late.scheduler.stop()]);
  });
});
