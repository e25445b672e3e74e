// The inline path against the real NATS: the process that appends a commit publishes its jobs, once
// per generation whoever else publishes them too, and tells its dispatcher which commits it covered.

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

function handlerWith(inline: InlineDispatch) {
  return new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider, { onCommitted: (_taskId, seq, events) => inline.committed(seq, events) });
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
  it('publishes the jobs of the commit just appended, and tells the dispatcher that commit is covered', async () => {
    const inline = new InlineDispatch(js, topology, logger);
    const command = create(['a', 'b', 'c']);
    const { seq, events } = await handlerWith(inline).handle(command);
    expect(events.filter((e) => e.type === 'SubTaskQueued')).toHaveLength(3);
    // Asked at once, it waits for the publishes under way.
    expect(await inline.dispatched(seq)).toBe(true);
    const jobs = await jobsOf(command.taskId);
    expect(jobs.map((j) => j.msgId).sort()).toEqual(command.subtasks.map((s) => jobMessageId(s.id, 1)).sort());
    expect(await inline.dispatched(seq + 1000)).toBe(false);
  });

  it('stores a job once when the dispatcher publishes it again', async () => {
    const inline = new InlineDispatch(js, topology, logger);
    const command = create(['only']);
    const { seq, state } = await handlerWith(inline).handle(command);
    await inline.dispatched(seq);
    const subTaskId = command.subtasks[0]!.id;
    await publishJob(js, topology, { taskId: command.taskId, subTaskId, generation: 1, queue: 'bench', action: 'noop' });
    expect(state.status).toBe('queued');
    expect(await jobsOf(command.taskId)).toHaveLength(1);
  });

  it('publishes nothing for a commit without SubTaskQueued, and reports it as not covered', async () => {
    const inline = new InlineDispatch(js, topology, logger);
    const taskId = randomUUID();
    inline.committed(42, [{ type: 'TaskCancelRequested', version: 1, taskId, at: new Date().toISOString(), actor: 'test', data: {} }]);
    expect(await inline.dispatched(42)).toBe(false);
  });

  it('leaves a commit whose publish failed to the dispatcher, with a warning', async () => {
    const closed = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'job-publisher-closed');
    const inline = new InlineDispatch(jetstream(closed), topology, logger);
    await closed.close();
    const command = create(['lost']);
    const { seq } = await handlerWith(inline).handle(command);
    expect(await inline.dispatched(seq)).toBe(false);
    expect(warnings.some((w) => w.includes(`jobs of commit ${seq} not published inline`))).toBe(true);
    expect(await jobsOf(command.taskId)).toHaveLength(0);
  });
});
