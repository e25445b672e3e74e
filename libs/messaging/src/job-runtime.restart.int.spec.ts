// The job runtime across a nats-server crash (its own server: a free port and a temporary store).
// A job running when the server is killed must run once: the restarted server, having lost the
// consumer's unsynced state, delivers the same message again with delivery count 1, which the
// attempt fence (one delivery per attempt) refuses while the first delivery still runs.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jobMessageId, queuePolicies, Topology, type QueuePolicy } from '@vle/contracts';
import { exists, taskDecider, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { startNatsServer, waitFor, type OwnNatsServer } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobRuntime } from './job-runtime.js';

const quiet = { log: () => {}, warn: () => {}, error: () => {} };
const policy: QueuePolicy = { ...queuePolicies(3, 0.02).bench, concurrency: 4 };

let server: OwnNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats(server.url, 'runtime-restart-int', { reconnectTimeWait: 100 });
});

afterAll(async () => {
  await nc?.close().catch(() => undefined);
  await server?.dispose();
});

describe('JobRuntime across a nats-server crash', () => {
  it('runs a job that was running when the server was killed exactly once, and records its success', async () => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    // A short ack_wait: whatever the restarted server redelivers comes back within the test.
    const topology = new Topology({ namespace: 'restart', jobAckWaitMs: 1_000 });
    await provisionTopology(jsm, topology, [policy]);
    const store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
    const commands = new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider);
    let runs = 0;
    let started: () => void = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const runtime = new JobRuntime({
      js, topology, commands, logger: quiet, drainTimeoutMs: 100,
      queues: [{ policy, handlers: { hold: async () => ((runs += 1), started(), await released, { responseCode: 'OK' }) } }],
    });
    runtime.start();
    const taskId = randomUUID();
    const subTaskId = randomUUID();
    await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'restart', createdBy: 'test', subtasks: [{ id: subTaskId, key: 'a', name: 'a', queue: 'bench', action: 'hold' }] });
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId, generation: 1, queue: 'bench', action: 'hold' }), { msgID: jobMessageId(subTaskId, 1) });
    await running;

    // Killed before it synced the consumer's state (2.9 syncs lazily; deployments use
    // sync_interval: always): the restarted server has forgotten the delivery and counts from 1 again.
    await server.stop('SIGKILL');
    rmSync(join(server.storeDir, 'jetstream', '$G', 'streams', topology.jobStream.name, 'obs', topology.jobConsumer(policy).durable_name!, 'o.dat'));
    await server.start();
    // The restarted server delivers the running job again (its pending state is rebuilt from the
    // store, or lost); wait until it has, then let the first delivery finish.
    const durable = topology.jobConsumer(policy).durable_name!;
    const again = await waitFor(async () => {
      const info = await jsm.consumers.info(topology.jobStream.name, durable);
      return info.delivered.consumer_seq >= 1 ? info : undefined;
    }, { description: 'the job to be delivered again after the restart', timeoutMs: 15_000 });
    expect(again.delivered.stream_seq).toBe(1);
    release();

    const task = await waitFor(async () => {
      const { commits } = await store.load(taskId);
      const state = commits.flatMap((c) => c.events).reduce(taskDecider.evolve, taskDecider.initialState);
      return exists(state) && state.status === 'success' ? (state as Task) : undefined;
    }, { description: 'the Task to succeed after the restart', timeoutMs: 20_000 });
    expect(runs).toBe(1);
    expect(task.subtasks[0]).toMatchObject({ status: 'success', executions: 1 });
    await runtime.stop();
  }, 40_000);
});
