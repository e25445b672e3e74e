// The deadline keeper on the real NATS, against task-api's intake booted in process: a deadline is
// sent when due even behind thousands of pending ones held by the consumer (none of them in the
// keeper's memory), exactly once between two keepers, and a malformed one is dead-lettered.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology, type DeadLetterJson } from '@vle/contracts';
import type { TaskEvent } from '@vle/domain';
import { connectNats, deleteTopology, ensureConsumer, ensureStream, JetStreamEventStore } from '@vle/event-store';
import { NatsTaskCreator } from '@vle/task-client';
import type { RunningService } from '@vle/service-kit';
import { bootstrap as bootstrapTaskApi } from '@vle/task-api';
import { SERVICE_IDENTITIES } from '@vle/auth';
import { freePort, testCredentials, testNamespace, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsDeadlineCommands } from './deadline-commands.js';
import { DeadlineKeeper } from './deadline-keeper.js';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = testNamespace('deadlines');
const topology = new Topology({ namespace });
const quiet = { log: () => {}, warn: () => {}, error: () => {} };
let taskApi: RunningService;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const keepers: DeadlineKeeper[] = [];
/** The scheduler's identity, signed as the scheduler signs it in development. */
const scheduler = testCredentials(SERVICE_IDENTITIES.scheduler);

beforeAll(async () => {
  taskApi = await bootstrapTaskApi({ env: { NATS_URL, NATS_NAMESPACE: namespace, PORT: String(await freePort()), LOG_LEVEL: 'warn', LOG_FORMAT: 'text' } });
  nc = await connectNats(NATS_URL, 'deadline-keeper-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await ensureStream(jsm, topology.deadlineStream);
  await ensureConsumer(jsm, topology.deadlineStream.name, topology.deadlineConsumer);
  for (let i = 0; i < 2; i++) {
    const keeper = new DeadlineKeeper({ js, topology, logger: quiet, commands: new NatsDeadlineCommands({ nc, topology, credentials: scheduler }), retryDelayMs: 500 });
    keeper.start();
    keepers.push(keeper);
  }
});

afterAll(async () => {
  await Promise.all(keepers.map((k) => k.stop()));
  await taskApi?.close();
  if (jsm) await deleteTopology(jsm, topology);
  await nc?.close();
});

describe('the deadline keeper', () => {
  it('sends a deadline when due, once between two keepers, behind 5000 pending ones', async () => {
    const far = new Date(Date.now() + 30 * 24 * 3600_000).toISOString();
    await Promise.all(
      Array.from({ length: 5000 }, (_, i) => js.publish(topology.deadlineSubject(`far-${i}`), JSON.stringify({ taskId: `0190a7e2-0000-7000-8000-${String(i).padStart(12, '0')}`, command: 'time-out', dueAt: far }))),
    );
    const startAt = new Date(Date.now() + 1500).toISOString();
    const reply = await new NatsTaskCreator({ nc, topology, credentials: scheduler }).create({ name: 'soon', startAt, subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'mails' }] });
    const taskId = reply.taskId!;
    await js.publish(topology.deadlineSubject(taskId), JSON.stringify({ taskId, command: 'start', dueAt: startAt }));

    const store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
    const started = await waitFor(async () => (await store.load(taskId)).commits.flatMap((c) => c.events).find((e) => e.type === 'TaskStarted'), {
      description: 'the Task to start',
      timeoutMs: 10_000,
    });
    const lateMs = Date.parse(started.at) - Date.parse(startAt);
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1000);
    // The due one was acked (removed from the work queue); the 5000 far ones wait in the consumer.
    await waitFor(async () => (await jsm.streams.info(topology.deadlineStream.name)).state.messages === 5000, { description: 'the due deadline to be removed', timeoutMs: 5000 });
    const info = await jsm.consumers.info(topology.deadlineStream.name, topology.deadlineConsumer.durable_name!);
    expect(info.num_ack_pending).toBe(5000);
    expect((await store.load(taskId)).commits.flatMap((c) => c.events).filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
  });

  it('dead-letters a malformed deadline with its reason and removes it', async () => {
    await ensureStream(jsm, topology.deadLetterStream);
    const before = (await jsm.streams.info(topology.deadlineStream.name)).state.messages;
    await js.publish(topology.deadlineSubject('bad'), JSON.stringify({ taskId: 'x', command: 'explode', dueAt: 'now' }));
    const letter = await waitFor(() => jsm.streams.getMessage(topology.deadLetterStream.name, { last_by_subj: topology.deadLetterSubject('deadlines') }).catch(() => null), {
      description: 'the dead letter',
      timeoutMs: 5000,
    });
    const body = JSON.parse(new TextDecoder().decode(letter!.data)) as DeadLetterJson;
    expect(body).toMatchObject({ source: 'deadlines', code: 'MALFORMED_DEADLINE', reason: 'command: must be one of start, expire-start, time-out' });
    await waitFor(async () => (await jsm.streams.info(topology.deadlineStream.name)).state.messages === before, { description: 'the malformed deadline to be removed', timeoutMs: 5000 });
  });

  it('re-arms a deadline that waits through many deliveries, so max_deliver never ends it, and sends it once', async () => {
    await Promise.all(keepers.splice(0).map((k) => k.stop()));
    const keeper = new DeadlineKeeper({ js, topology, logger: quiet, commands: new NatsDeadlineCommands({ nc, topology, credentials: scheduler }), retryDelayMs: 500, maxWaitMs: 50, rearmAfterDeliveries: 3 });
    keeper.start();
    keepers.push(keeper);
    const startAt = new Date(Date.now() + 2000).toISOString();
    const reply = await new NatsTaskCreator({ nc, topology, credentials: scheduler }).create({ name: 'rearmed', startAt, subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'mails' }] });
    const taskId = reply.taskId!;
    const first = await js.publish(topology.deadlineSubject(taskId), JSON.stringify({ taskId, command: 'start', dueAt: startAt }));
    const store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
    await waitFor(async () => (await store.load(taskId)).commits.flatMap((c) => c.events).find((e) => e.type === 'TaskStarted'), { description: 'the Task to start', timeoutMs: 10_000 });
    // About 40 waits of 50 ms: re-armed every third delivery, far below max_deliver.
    const last = await jsm.streams.getMessage(topology.deadlineStream.name, { last_by_subj: topology.deadlineSubject(taskId) }).catch(() => null);
    const info = await jsm.streams.info(topology.deadlineStream.name);
    expect(info.state.last_seq - first.seq).toBeGreaterThan(3);
    expect(last).toBeNull();
    expect((await store.load(taskId)).commits.flatMap((c) => c.events).filter((e) => e.type === 'TaskStarted')).toHaveLength(1);
  });
});
