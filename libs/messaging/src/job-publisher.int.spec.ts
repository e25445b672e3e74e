// The inline path against the real NATS: the process that appends a commit publishes its jobs, once
// per generation whoever else publishes them too (the projection's job repair).

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jobMessageId, queuePolicies, Topology, type QueuePolicy } from '@vle/contracts';
import { taskDecider, type CreateTask, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { testNamespace } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InlineDispatch, publishJob } from './job-publisher.js';

const policy: QueuePolicy = queuePolicies().bench;

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let store: JetStreamEventStore<TaskEvent>;
const warnings: string[] = [];
const logger = { log: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'job-publisher-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('pub') });
  await provisionTopology(jsm, topology, [policy]);
  store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
});

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

/** A command handler whose inline publishes a test can wait for. */
function handlerWith(inline: InlineDispatch) {
  const publishes: Array<Promise<void>> = [];
  const handler = new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider, { onCommitted: (_taskId, seq, events) => void publishes.push(inline.committed(seq, events)) });
  return { handler, published: () => Promise.all(publishes) };
}

function create(keys: string[]): CreateTask {
  const subtasks = keys.map((key) => ({ id: randomUUID(), key, name: key, queue: 'bench', action: 'noop', params: {} }));
  return { type: 'CreateTask', taskId: randomUUID(), at: new Date().toISOString(), actor: 'test', name: 'inline', createdBy: 'test', subtasks };
}

async function jobsOf(taskId: string): Promise<Array<{ subTaskId: string; generation: number; msgId: string | undefined }>> {
  const jobs = [];
  const info = await jsm.streams.info(topology.jobStream.name);
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(topology.jobStream.name, { seq }).catch(() => null);
    if (!m) continue;
    const job = m.json<{ taskId: string; subTaskId: string; generation: number }>();
    if (job.taskId === taskId) jobs.push({ subTaskId: job.subTaskId, generation: job.generation, msgId: m.header?.get('Nats-Msg-Id') });
  }
  return jobs;
}

describe('InlineDispatch', () => {
  it('publishes the jobs of the commit just appended, one per SubTaskQueued, under <subTaskId>:<generation>', async () => {
    const { handler, published } = handlerWith(new InlineDispatch(js, topology, logger));
    const command = create(['a', 'b', 'c']);
    const { events } = await handler.handle(command);
    expect(events.filter((e) => e.type === 'SubTaskQueued')).toHaveLength(3);
    await published();
    const jobs = await jobsOf(command.taskId);
    expect(jobs.map((j) => j.msgId).sort()).toEqual(command.subtasks.map((s) => jobMessageId(s.id, 1)).sort());
  });

  it('stores a job once when the repair publishes it again, and the repair learns it was there', async () => {
    const { handler, published } = handlerWith(new InlineDispatch(js, topology, logger));
    const command = create(['only']);
    const { state } = await handler.handle(command);
    await published();
    const subTaskId = command.subtasks[0]!.id;
    const ack = await publishJob(js, topology, { taskId: command.taskId, subTaskId, generation: 1, queue: 'bench', action: 'noop' });
    expect(ack.duplicate).toBe(true);
    expect(state.status).toBe('queued');
    expect(await jobsOf(command.taskId)).toHaveLength(1);
  });

  it('publishes nothing for a commit without SubTaskQueued', async () => {
    const before = (await jsm.streams.info(topology.jobStream.name)).state.last_seq;
    const taskId = randomUUID();
    await new InlineDispatch(js, topology, logger).committed(42, [{ type: 'TaskCancelRequested', version: 1, taskId, at: new Date().toISOString(), actor: 'test', data: {} }]);
    expect((await jsm.streams.info(topology.jobStream.name)).state.last_seq).toBe(before);
  });

  it('leaves a commit whose publish failed to the repair, with a warning, and never throws', async () => {
    const closed = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'job-publisher-closed');
    const { handler, published } = handlerWith(new InlineDispatch(jetstream(closed), topology, logger));
    await closed.close();
    const command = create(['lost']);
    const { seq } = await handler.handle(command);
    await published();
    expect(warnings.some((w) => w.includes(`jobs of commit ${seq} not published inline`) && w.includes('job repair'))).toBe(true);
    expect(await jobsOf(command.taskId)).toHaveLength(0);
  });
});
