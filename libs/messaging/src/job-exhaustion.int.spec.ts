// A job whose every delivery's worker died (no one settled it) against the real nats-server: the
// MAX_DELIVERIES advisory of its queue's consumer ends the SubTask failed, WORKER_LOST, dead-letters
// the job and removes it from JOBS, instead of leaving the SubTask running forever.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jobMessageId, queuePolicies, Topology, type DeadLetterJson, type QueuePolicy } from '@vle/contracts';
import { exists, taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { testNamespace, waitFor } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobExhaustion } from './job-exhaustion.js';

const quiet = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m) };
// One retry: max_deliver 3 (two attempts and the runtime's delivery that records a lost last one).
const policy: QueuePolicy = { ...queuePolicies(1, 0.01).bench, concurrency: 4 };

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let commands: CommandHandler<TaskCommand, TaskEvent, TaskState>;
let store: JetStreamEventStore<TaskEvent>;

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'job-exhaustion-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('jex'), jobAckWaitMs: 300 });
  await provisionTopology(jsm, topology, [policy]);
  store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
  commands = new CommandHandler(store, taskDecider);
});

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

describe('a job whose deliveries all died', () => {
  it('ends its SubTask failed (WORKER_LOST), dead-letters the job and removes it from JOBS', async () => {
    const listener = jobExhaustion({ nc, js, jsm, topology, policy, commands, logger: quiet });
    listener.start();
    const taskId = randomUUID();
    const subTaskId = randomUUID();
    await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'lost', createdBy: 'test', subtasks: [{ id: subTaskId, key: 'a', name: 'a', queue: 'bench', action: 'noop' }] });
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId, generation: 1, queue: 'bench', action: 'noop' }), { msgID: jobMessageId(subTaskId, 1) });

    // A worker that starts the attempt of every delivery and dies before it settles it.
    const consumer = await js.consumers.get(topology.jobStream.name, topology.jobConsumer(policy).durable_name!);
    const maxDeliver = topology.jobConsumer(policy).max_deliver!;
    for (let delivery = 1; delivery <= maxDeliver; delivery++) {
      const message = await consumer.next({ expires: 5_000 });
      expect(message?.info.deliveryCount).toBe(delivery);
      if (delivery <= policy.maxRetries + 1) {
        await commands.handle({ type: 'RecordAttemptStarted', taskId, subTaskId, generation: 1, attempt: delivery, jobId: jobMessageId(subTaskId, 1), queue: 'bench', jobSeq: message!.seq, deliveryId: randomUUID(), at: new Date().toISOString(), actor: 'worker:bench' });
      }
    }
    // The server tells MAX_DELIVERIES when a pull finds the message out of deliveries (the runtime
    // always has one waiting); it gets nothing.
    expect(await consumer.next({ expires: 2_000 })).toBeNull();

    const task = await waitFor(async () => {
      const { commits } = await store.load(taskId);
      const state = commits.flatMap((c) => c.events).reduce(taskDecider.evolve, taskDecider.initialState);
      return exists(state) && state.subtasks[0]!.status === 'failed' ? state : undefined;
    }, { description: 'the SubTask to be recorded WORKER_LOST', timeoutMs: 10_000 });
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', responseCode: 'WORKER_LOST', attempt: 2 });
    expect(task.status).toBe('failed');
    const letter = await waitFor(async () => (await jsm.streams.getMessage(topology.deadLetterStream.name, { last_by_subj: topology.deadLetterSubject('jobs.bench') }))?.json<DeadLetterJson>(), { description: 'the dead letter' });
    expect(letter).toMatchObject({ code: 'MAX_DELIVERIES' });
    await waitFor(async () => ((await jsm.streams.info(topology.jobStream.name)).state.messages === 0 ? true : undefined), { description: 'the job to be removed from JOBS' });
    await listener.stop();
  });
});
