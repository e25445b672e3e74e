// Tasks of 10,000 SubTasks against the real event log (issue 9): created in parts that the stream
// takes (its max_msg_size is the commit limit, headers included), resumed from the log by the same
// create after a stop half way, and folded back from the log to the same Task.

import { jetstreamManager, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { ALL_PERMISSIONS, type Principal } from '@vle/auth';
import { MAX_COMMIT_BYTES, Topology } from '@vle/contracts';
import { evolveAll, taskDecider, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology, type AggregateStore } from '@vle/event-store';
import { testNamespace } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskCommandService } from './task-command.service.js';

let nc: NatsConnection;
let jsm: JetStreamManager;
let store: JetStreamEventStore<TaskEvent>;
const topology = new Topology({ namespace: testNamespace('big-tasks') });

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'big-tasks-int');
  jsm = await jetstreamManager(nc);
  await provisionTopology(jsm, topology, []);
  store = new JetStreamEventStore<TaskEvent>(jetstream(nc), jsm, topology);
});

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

/** The caller: OpenVLE's core, with every permission. */
const core: Principal = { subject: 'int', permissions: new Set(ALL_PERMISSIONS), scope: {} };

function serviceOn(events: AggregateStore<TaskEvent>): TaskCommandService {
  return new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(events, taskDecider), () => new Date(), 24 * 3600_000, { benchQueue: true });
}

describe('a Task of 10,000 SubTasks on the real log', () => {
  it.each(['bench.fan_out', 'bench.chain'])('%s is stored in parts the stream takes, and folds back from them', async (type) => {
    const result = await serviceOn(store).create({ type, createdBy: 'int', idempotencyKey: `${type}-10000`, params: { subtasks: 10_000 } }, core);
    expect(result).toMatchObject({ existing: false, status: 'queued' });
    const { commits } = await store.load(result.taskId);
    expect(commits.length).toBeGreaterThan(1);
    for (const commit of commits) expect(Buffer.byteLength(JSON.stringify({ events: commit.events }))).toBeLessThan(MAX_COMMIT_BYTES);
    const task = evolveAll({ status: 'absent' }, commits.flatMap((c) => c.events)) as Task;
    expect(task).toMatchObject({ status: 'queued', progress: 0 });
    expect(task.subtasks).toHaveLength(10_000);
    expect(task.subtasks.filter((s) => s.status === 'queued').length).toBe(type === 'bench.chain' ? 1 : commits.at(-1)!.events.length - 1);
  });

  it('stopped half way, is completed from the log by the same create', async () => {
    const body = { type: 'bench.fan_out', createdBy: 'int', idempotencyKey: 'resumed-10000', params: { subtasks: 10_000 } };
    let appends = 0;
    const stopping: AggregateStore<TaskEvent> = {
      append: (taskId, events, expectedSeq) => (++appends === 3 ? Promise.reject(new Error('task-api stopped')) : store.append(taskId, events, expectedSeq)),
      load: (taskId, options) => store.load(taskId, options),
      lastSequence: (taskId) => store.lastSequence(taskId),
      streamName: store.streamName,
      firstCommitTrace: (taskId) => store.firstCommitTrace(taskId),
    };
    await expect(serviceOn(stopping).create(body, core)).rejects.toThrow('task-api stopped');
    // Another task-api process (no cache) takes the create again.
    const resumed = await serviceOn(store).create(body, core);
    expect(resumed).toMatchObject({ existing: true, status: 'queued' });
    const { commits } = await store.load(resumed.taskId);
    expect(commits.filter((c) => c.events[0]!.type === 'TaskCreated')).toHaveLength(1);
    const ids = commits.flatMap((c) => c.events).flatMap((e) => (e.type === 'TaskCreated' || e.type === 'SubTasksPlanned' ? e.data.subtasks.map((s) => s.id) : []));
    expect(new Set(ids).size).toBe(10_000);
    expect(ids).toHaveLength(10_000);
  });
});
