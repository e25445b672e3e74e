// The spans of the job runtime against the real NATS: a command's trace goes on through the commit,
// the inline dispatch and every attempt of every job (a retried one too), with the handler's own
// span around what it calls; a job without trace context (its command was not traced) is not traced.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jobMessageId, queuePolicies, Topology, type QueuePolicy } from '@vle/contracts';
import { exists, taskDecider, type SubTaskDraft, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { captureSpans, testNamespace, traceTree, waitFor, type SpanCapture } from '@vle/testing';
import { activeSpanIds, inSpan, startSpan } from '@vle/tracing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBenchHandlers } from './bench-handlers.js';
import { JobRuntime } from './job-runtime.js';
import { InlineDispatch } from './job-publisher.js';

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let store: JetStreamEventStore<TaskEvent>;
let commands: CommandHandler<TaskCommand, TaskEvent, TaskState>;
let runtime: JobRuntime;
let capture: SpanCapture;
const debugLines: Array<{ message: string; ids: ReturnType<typeof activeSpanIds> }> = [];
const logger = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m), debug: (message: string) => debugLines.push({ message, ids: activeSpanIds() }) };
// Retries after 20, 40, 60 ms.
const policy: QueuePolicy = { ...queuePolicies(3, 0.02).bench, attemptTimeoutMs: 2_000, concurrency: 8 };

beforeAll(async () => {
  capture = captureSpans();
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'messaging-traces-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('msgtr'), jobAckWaitMs: 1_500 });
  await provisionTopology(jsm, topology, [policy]);
  store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
  const inline = new InlineDispatch(js, topology, logger);
  commands = new CommandHandler(store, taskDecider, { onCommitted: (_taskId, seq, events) => void inline.committed(seq, events) });
  const handlers = {
    ...createBenchHandlers(),
    // What a handler calls (an external system) is a child of its span.
    call: async () => {
      startSpan({ name: 'external call' }).end();
      return { responseCode: 'OK' };
    },
  };
  runtime = new JobRuntime({ js, topology, commands, logger, queues: [{ policy, handlers }], drainTimeoutMs: 100 });
  runtime.start();
});

afterAll(async () => {
  await runtime?.stop();
  await deleteTopology(jsm, topology);
  await nc.close();
  await capture.stop();
});

async function taskOf(taskId: string): Promise<Task> {
  const state = (await store.load(taskId)).commits.flatMap((c) => c.events).reduce(taskDecider.evolve, taskDecider.initialState);
  if (!exists(state)) throw new Error(`no task ${taskId}`);
  return state;
}

const settled = (taskId: string) =>
  waitFor(async () => {
    const task = await taskOf(taskId);
    return ['success', 'warning', 'failed'].includes(task.status) ? task : undefined;
  }, { description: `Task ${taskId} to finish` });

/** Creates a Task in a `request` span; its jobs are published inline, from inside the append. */
async function createTraced(...subtasks: Array<Omit<SubTaskDraft, 'id' | 'queue' | 'name'>>): Promise<Task> {
  const taskId = randomUUID();
  const drafts = subtasks.map((s) => ({ ...s, id: randomUUID(), queue: 'bench', name: s.key }));
  await inSpan({ name: 'request', root: true }, () => commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'traced', createdBy: 'test', subtasks: drafts }));
  return settled(taskId);
}

describe('the job runtime, traced', () => {
  it("runs every attempt of every job in the trace of the command that queued it, the handler's calls inside its span", async () => {
    const task = await createTraced({ key: 'first', action: 'call', params: {} }, { key: 'second', action: 'fail', params: { failAttempts: 1 }, dependsOn: ['first'] });
    expect(task.status).toBe('success');
    const [first, second] = task.subtasks;
    const { traceId } = capture.spans().find((s) => s.attributes['vle.subtask_id'] === first!.id)!;
    const tree = await waitFor(() => {
      const t = traceTree(capture.spans(), traceId);
      return t.spans.filter((s) => s.name === 'job bench/fail').length === 2 && t.spans.filter((s) => s.name === `append ${topology.eventStream.name}`).length >= 6 ? t : undefined;
    }, { description: 'the whole trace' });
    expect(tree.root.name).toBe('request');

    const firstJob = tree.spans.find((s) => s.name === 'job bench/call')!;
    expect(firstJob).toMatchObject({ kind: 'consumer', status: { code: 'unset' }, attributes: { 'vle.task_id': task.id, 'vle.subtask_id': first!.id, 'vle.attempt': 1, 'vle.outcome': 'succeeded', 'messaging.system': 'nats', 'messaging.destination.name': topology.jobSubject('bench') } });
    expect(tree.pathTo(firstJob).map((s) => s.name)).toEqual(['request', `append ${topology.eventStream.name}`, `dispatch ${topology.jobSubject('bench')}`, 'job bench/call']);
    const handler = tree.children(firstJob).find((s) => s.name === 'handle call')!;
    expect(tree.children(handler).map((s) => s.name)).toEqual(['external call']);
    // The attempt's start and its outcome are appended from inside the job's span.
    expect(tree.children(firstJob).filter((s) => s.name === `append ${topology.eventStream.name}`).map((s) => s.attributes['vle.commit_commands'])).toEqual(['RecordAttemptStarted', 'RecordSubTaskSucceeded']);

    // The second SubTask's job: dispatched inline from the outcome's append, inside the first job.
    const attempts = tree.spans.filter((s) => s.name === 'job bench/fail').sort((a, b) => Number(a.attributes['vle.attempt']) - Number(b.attributes['vle.attempt']));
    const dispatch = tree.spans.find((s) => s.spanId === attempts[0]!.parentSpanId)!;
    expect(dispatch).toMatchObject({ name: `dispatch ${topology.jobSubject('bench')}`, attributes: { 'vle.subtask_id': second!.id, 'messaging.message.id': jobMessageId(second!.id, 1) } });
    expect(tree.pathTo(dispatch).map((s) => s.name)).toContain('job bench/call');
    // Its redelivery is the next attempt, a sibling under the same dispatch; the failed one says why.
    expect(attempts.map((s) => [s.attributes['vle.attempt'], s.attributes['vle.outcome'], s.status, s.parentSpanId])).toEqual([
      [1, 'failed', { code: 'error', message: 'BENCH_TRANSIENT' }, dispatch.spanId],
      [2, 'succeeded', { code: 'unset' }, dispatch.spanId],
    ]);
    expect(tree.children(attempts[0]!).find((s) => s.name === 'handle fail')?.status).toEqual({ code: 'error', message: 'BENCH_TRANSIENT' });

    // The line each attempt logs at debug is written inside its job's span.
    const line = debugLines.find((l) => l.message.includes(`SubTask ${first!.id}`))!;
    expect(line.message).toMatch(/\(bench\/call\) attempt 1\/4: succeeded in \d+ ms$/);
    expect(line.ids).toEqual({ traceId: firstJob.traceId, spanId: firstJob.spanId });
  });

  it('runs a job published without trace context untraced: the command that queued it was not traced', async () => {
    const taskId = randomUUID();
    const subTaskId = randomUUID();
    // Appended and published outside any span (a process without an SDK, or an unsampled command).
    await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'untraced', createdBy: 'test', subtasks: [{ id: subTaskId, key: 'only', name: 'only', action: 'noop', queue: 'bench', params: {} }] });
    expect((await settled(taskId)).status).toBe('success');
    // A traced Task after it: once its job's span is in, the untraced job's would be too.
    const traced = await createTraced({ key: 'after', action: 'noop', params: {} });
    await waitFor(() => capture.spans().some((s) => s.name === 'job bench/noop' && s.attributes['vle.subtask_id'] === traced.subtasks[0]!.id), { description: "the traced job's span" });
    expect(capture.spans().filter((s) => s.attributes['vle.task_id'] === taskId || s.attributes['vle.subtask_id'] === subTaskId)).toEqual([]);
  });
});
