// The job runtime against the real NATS: attempts, retries by policy, permanent errors, timeouts,
// dead letters, duplicate deliveries and a crashed worker, each recorded in the real event log.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { jobMessageId, queuePolicies, Topology, type JobJson, type QueuePolicy } from '@vle/contracts';
import { exists, taskDecider, type SubTaskDraft, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { testNamespace, waitFor } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBenchHandlers } from './bench-handlers.js';
import { defineHandler, type QueueHandlers } from './job-handler.js';
import { JobRuntime } from './job-runtime.js';

const quiet = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let store: JetStreamEventStore<TaskEvent>;
let commands: CommandHandler<TaskCommand, TaskEvent, TaskState>;
// Retries after 20, 40, 60 ms; 3 retries => 4 attempts.
const policy: QueuePolicy = { ...queuePolicies(3, 0.02).bench, attemptTimeoutMs: 2_000, concurrency: 8 };
const runtimes: JobRuntime[] = [];

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'messaging-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('msg'), jobAckWaitMs: 1_500 });
  await provisionTopology(jsm, topology, [policy]);
  store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
  commands = new CommandHandler(store, taskDecider);
});

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop()));
  await deleteTopology(jsm, topology);
  await nc.close();
});

function startRuntime(handlers: QueueHandlers = createBenchHandlers()): JobRuntime {
  const runtime = new JobRuntime({ js, topology, commands, logger: quiet, queues: [{ policy, handlers }], drainTimeoutMs: 100 });
  runtimes.push(runtime);
  runtime.start();
  return runtime;
}

/** Creates a Task and publishes the jobs of its queued SubTasks, as task-api would. */
async function createTask(...subtasks: Array<Omit<SubTaskDraft, 'id' | 'queue' | 'name'>>): Promise<string> {
  const taskId = randomUUID();
  const drafts = subtasks.map((s) => ({ ...s, id: randomUUID(), queue: 'bench', name: s.key }));
  const { events, state } = await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'runtime test', createdBy: 'test', subtasks: drafts });
  await publishQueued(events, state);
  return taskId;
}

async function publishQueued(events: readonly TaskEvent[], state: TaskState): Promise<void> {
  if (!exists(state)) throw new Error('no task');
  for (const event of events) {
    if (event.type !== 'SubTaskQueued') continue;
    const s = state.subtasks.find((x) => x.id === event.data.subTaskId)!;
    const job: JobJson = { taskId: state.id, subTaskId: s.id, generation: event.data.generation, queue: 'bench', action: s.action, params: s.params, timeoutSeconds: s.timeoutSeconds };
    await js.publish(topology.jobSubject('bench'), JSON.stringify(job), { msgID: jobMessageId(s.id, event.data.generation) });
  }
}

async function taskOf(taskId: string): Promise<Task> {
  const { commits } = await store.load(taskId);
  const state = commits.flatMap((c) => c.events).reduce(taskDecider.evolve, taskDecider.initialState);
  if (!exists(state)) throw new Error(`no task ${taskId}`);
  return state;
}

async function settled(taskId: string, timeoutMs = 10_000): Promise<Task> {
  return waitFor(async () => {
    const task = await taskOf(taskId);
    return ['success', 'warning', 'failed', 'cancelled'].includes(task.status) ? task : undefined;
  }, { description: `Task ${taskId} to finish`, timeoutMs });
}

async function eventsOf(taskId: string): Promise<TaskEvent[]> {
  return (await store.load(taskId)).commits.flatMap((c) => c.events);
}

/** A handler that waits until released, counting its runs. */
function latch() {
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = { runs: 0, release, started: undefined as undefined | Promise<void> };
  let started: () => void = () => {};
  state.started = new Promise<void>((resolve) => (started = resolve));
  const handler = async () => {
    state.runs += 1;
    started();
    await released;
    return { responseCode: 'OK' };
  };
  return Object.assign(state, { handler });
}

describe('JobRuntime', () => {
  let bench: JobRuntime;
  beforeAll(() => {
    bench = startRuntime();
  });

  it('runs a job once and records its success', async () => {
    const taskId = await createTask({ key: 'a', action: 'noop' });
    const task = await settled(taskId);
    expect(task.status).toBe('success');
    expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 1, generation: 1, responseCode: 'OK' });
    expect(task.subtasks[0]!.jobId).toBe(`${task.subtasks[0]!.id}:1`);
  });

  it('retries transient failures per the queue policy and succeeds on attempt 3', async () => {
    const taskId = await createTask({ key: 'a', action: 'fail', params: { failAttempts: 2 } });
    const task = await settled(taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 3, failedAttempts: 2 });
    const failures = (await eventsOf(taskId)).filter((e) => e.type === 'SubTaskAttemptFailed');
    expect(failures.map((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode)).toEqual(['BENCH_TRANSIENT', 'BENCH_TRANSIENT']);
  });

  it('does not retry a permanent error', async () => {
    const taskId = await createTask({ key: 'a', action: 'fail', params: { permanent: true } });
    const task = await settled(taskId);
    expect(task.status).toBe('failed');
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'BENCH_PERMANENT' });
  });

  it('stops after WORKER_MAX_RETRY retries', async () => {
    const taskId = await createTask({ key: 'a', action: 'fail' });
    const task = await settled(taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: policy.maxRetries + 1, failedAttempts: policy.maxRetries + 1 });
    const events = await eventsOf(taskId);
    expect(events.filter((e) => e.type === 'SubTaskAttemptFailed')).toHaveLength(policy.maxRetries);
    expect(events.filter((e) => e.type === 'SubTaskFailed')).toHaveLength(1);
  });

  it('retries an attempt that runs past its timeout like a transient failure, and ends timed out after the last', async () => {
    const taskId = await createTask({ key: 'a', action: 'sleep', params: { ms: 10_000 }, timeoutSeconds: 1 });
    const task = await settled(taskId, 15_000);
    expect(task.subtasks[0]).toMatchObject({ status: 'timed_out', responseCode: 'TIMEOUT', attempt: policy.maxRetries + 1 });
    const failures = (await eventsOf(taskId)).filter((e) => e.type === 'SubTaskAttemptFailed');
    expect(failures.map((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode)).toEqual(Array(policy.maxRetries).fill('ATTEMPT_TIMEOUT'));
  });

  it('fails a bench job whose params do not fit at once, naming the field', async () => {
    const taskId = await createTask({ key: 'a', action: 'sleep', params: { ms: 'soon' } });
    const task = await settled(taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'INVALID_PARAMS', responseMessage: 'invalid job params: params.ms: Invalid input: expected number, received string' });
  });

  it('fails a job whose action has no handler, without retrying', async () => {
    const taskId = await createTask({ key: 'a', action: 'no-such-action' });
    const task = await settled(taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'UNKNOWN_ACTION' });
  });

  it('dead-letters a malformed job and keeps the queue moving', async () => {
    await js.publish(topology.jobSubject('bench'), '{"taskId": ');
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId: 'x', queue: 'bench' }));
    const taskId = await createTask({ key: 'a', action: 'noop' });
    expect((await settled(taskId)).status).toBe('success');
    const letters = await waitFor(async () => {
      const info = await jsm.streams.info(topology.deadLetterStream.name);
      return info.state.messages >= 2 ? info : undefined;
    }, { description: 'two dead letters' });
    expect(letters.state.messages).toBe(2);
    const last = await jsm.streams.getMessage(topology.deadLetterStream.name, { last_by_subj: topology.deadLetterSubject('jobs.bench') });
    const body = last!.json<{ code: string; reason: string; payload: string }>();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.reason).toContain('subTaskId: is required');
    expect(Buffer.from(body.payload, 'base64').toString()).toContain('"taskId":"x"');
  });

  it('absorbs a duplicate job message: the handler runs once', async () => {
    await bench.stop();
    let runs = 0;
    const counting: QueueHandlers = { count: async () => ((runs += 1), { responseCode: 'OK' }) };
    const runtime = startRuntime(counting);
    const taskId = await createTask({ key: 'a', action: 'count' });
    const task = await settled(taskId);
    // The same job again after the dedup window would have let it through (a republish):
    const s = task.subtasks[0]!;
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId: s.id, generation: 1, queue: 'bench', action: 'count' }));
    await waitFor(async () => (await jsm.streams.info(topology.jobStream.name)).state.messages === 0, { description: 'the duplicate to be settled' });
    expect((await taskOf(taskId)).subtasks[0]).toMatchObject({ status: 'success', attempt: 1 });
    expect(runs).toBeLessThanOrEqual(1);
    await runtime.stop();
  });

  it('tells a SubTask the objects of the SubTasks it depends on', async () => {
    const seen: unknown[] = [];
    const handlers: QueueHandlers = {
      create: async (_job, { reserveObject }) => (await reserveObject('vm', '4242'), { responseCode: 'OK' }),
      use: async (_job, { dependencies }) => (seen.push(dependencies), { responseCode: 'OK' }),
    };
    const runtime = startRuntime(handlers);
    const taskId = await createTask({ key: 'make', action: 'create', objectType: 'template', objectId: '9000' }, { key: 'then', action: 'use', dependsOn: ['make'] });
    // The runtime here has no inline publish: publish the second job once its SubTask is queued, as it would.
    await waitFor(async () => (await taskOf(taskId)).subtasks[1]!.status === 'queued', { description: 'the dependent SubTask to be queued' });
    await publishQueued(await eventsOf(taskId), await taskOf(taskId));
    const task = await settled(taskId);
    expect(task.status).toBe('success');
    expect(seen).toEqual([[{ key: 'make', action: 'create', object: { type: 'vm', id: '4242' } }]]);
    await runtime.stop();
  });

  it('gives a later attempt the object an earlier attempt reserved in the log', async () => {
    const seen: Array<string | undefined> = [];
    const reserving: QueueHandlers = {
      create: async (_job, { attempt, object, reserveObject }) => {
        seen.push(object.id);
        if (object.id === undefined) await reserveObject('vm', `41${attempt.toString().padStart(2, '0')}`);
        if (attempt === 1) throw Object.assign(new Error('response timed out'), { responseCode: 'PVE_TIMEOUT' });
        return { responseCode: 'OK', responseMessage: `found ${object.id}` };
      },
    };
    const runtime = startRuntime(reserving);
    const taskId = await createTask({ key: 'a', action: 'create', objectType: 'template', objectId: '9000' });
    const task = await settled(taskId);
    expect(seen).toEqual(['9000', '9000']);
    await runtime.stop();
    // With no planned object: attempt 1 reserves 4101, attempt 2 finds it instead of reserving again.
    seen.length = 0;
    const second = startRuntime(reserving);
    const fresh = await settled(await createTask({ key: 'a', action: 'create' }));
    expect(seen).toEqual([undefined, '4101']);
    expect(fresh.subtasks[0]).toMatchObject({ status: 'success', objectType: 'vm', objectId: '4101', responseMessage: 'found 4101' });
    expect((await eventsOf(fresh.id)).filter((e) => e.type === 'SubTaskObjectReserved')).toHaveLength(1);
    expect(task.subtasks[0]).toMatchObject({ objectType: 'template', objectId: '9000' });
    await second.stop();
  });

  it('runs a duplicate job message once even while the first delivery still runs (the attempt is fenced on its message)', async () => {
    const gate = latch();
    const runtime = startRuntime({ hold: gate.handler });
    const taskId = await createTask({ key: 'a', action: 'hold' });
    await gate.started;
    // A copy published again past the JOBS duplicate window: another message, delivery count 1.
    const s = (await taskOf(taskId)).subtasks[0]!;
    const copy = await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId: s.id, generation: 1, queue: 'bench', action: 'hold' }));
    await waitFor(async () => {
      const info = await jsm.consumers.info(topology.jobStream.name, topology.jobConsumer(policy).durable_name!);
      return info.ack_floor.stream_seq >= copy.seq || info.num_ack_pending <= 1 ? true : undefined;
    }, { description: 'the copy to be settled' });
    gate.release();
    const task = await settled(taskId);
    expect(gate.runs).toBe(1);
    expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 1, executions: 1 });
    await runtime.stop();
  });

  it('keeps a handler that runs several ack_waits without a word of its own: the runtime heartbeats, nothing is redelivered', async () => {
    const ackWaitMs = topology.jobAckWaitMs;
    let runs = 0;
    const quietHandler = defineHandler(z.object({}), async () => {
      runs += 1;
      // The work itself takes this long; it never tells the runtime it is alive.
      await new Promise((resolve) => setTimeout(resolve, 3 * ackWaitMs + 500));
      return { responseCode: 'OK' };
    });
    const said: string[] = [];
    const logger = { log: () => {}, warn: (m: string) => void said.push(m), error: (m: string) => void said.push(m) };
    const runtime = new JobRuntime({ js, topology, commands, logger, queues: [{ policy, handlers: { quiet: quietHandler } }], drainTimeoutMs: 100 });
    runtimes.push(runtime);
    runtime.start();
    try {
      const taskId = await createTask({ key: 'a', action: 'quiet', timeoutSeconds: 10 });
      const task = await settled(taskId, 15_000);
      expect(runs).toBe(1);
      expect(task.subtasks[0]).toMatchObject({ status: 'success', attempt: 1, executions: 1 });
      // A redelivery meanwhile would be held back (ATTEMPT_IN_PROGRESS) and logged.
      expect(said).toEqual([]);
      const consumer = await jsm.consumers.info(topology.jobStream.name, topology.jobConsumer(policy).durable_name!);
      expect(consumer.num_redelivered).toBe(0);
    } finally {
      await runtime.stop();
    }
  });

  it('runs the action and params the log holds, not those a (forged or stale) job message carries', async () => {
    const seen: unknown[] = [];
    const runtime = startRuntime({
      record: async (job) => (seen.push({ action: job.action, params: job.params }), { responseCode: 'OK' }),
      wipe: async () => (seen.push('wipe ran'), { responseCode: 'OK' }),
    });
    const taskId = randomUUID();
    const subTaskId = randomUUID();
    await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'forged', createdBy: 'test', subtasks: [{ id: subTaskId, key: 'a', name: 'a', queue: 'bench', action: 'record', params: { planned: true } }] });
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId, generation: 1, queue: 'bench', action: 'wipe', params: { forged: true } }));
    const task = await settled(taskId);
    expect(task.status).toBe('success');
    expect(seen).toEqual([{ action: 'record', params: { planned: true } }]);
    await runtime.stop();
  });

  it('dead-letters a job that names a SubTask of another queue, and leaves that SubTask alone', async () => {
    const runtime = startRuntime({ noop: async () => ({ responseCode: 'OK' }) });
    const taskId = randomUUID();
    const subTaskId = randomUUID();
    await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'misrouted', createdBy: 'test', subtasks: [{ id: subTaskId, key: 'a', name: 'a', queue: 'mails', action: 'send', params: {} }] });
    const stream = topology.deadLetterStream.name;
    const before = (await jsm.streams.info(stream)).state.last_seq;
    await js.publish(topology.jobSubject('bench'), JSON.stringify({ taskId, subTaskId, generation: 1, queue: 'bench', action: 'noop' }));
    // This job's letter among those stored since: an earlier test's may still be arriving.
    const letter = await waitFor(async () => {
      const last = (await jsm.streams.info(stream)).state.last_seq;
      for (let seq = before + 1; seq <= last; seq++) {
        const body = (await jsm.streams.getMessage(stream, { seq }).catch(() => null))?.json<{ code: string; reason: string }>();
        if (body?.reason?.includes(subTaskId)) return body;
      }
      return undefined;
    }, { description: 'the misrouted job to be dead-lettered' });
    expect(letter).toMatchObject({ code: 'WRONG_QUEUE' });
    expect(letter.reason).toContain('runs on queue mails');
    expect((await taskOf(taskId)).subtasks[0]).toMatchObject({ status: 'queued', attempt: 0 });
    await runtime.stop();
  });

  it('ends a SubTask timed out at once when its handler says a timeout is final', async () => {
    const runtime = startRuntime({ slow: defineHandler({ safeParse: (v: unknown) => ({ success: true as const, data: v }) }, () => new Promise(() => {}), { retryOnTimeout: false }) });
    const taskId = await createTask({ key: 'a', action: 'slow', timeoutSeconds: 1 });
    const task = await settled(taskId);
    expect(task.subtasks[0]).toMatchObject({ status: 'timed_out', attempt: 1 });
    await runtime.stop();
  });
});

describe('JobRuntime with jobs waiting out their retry delay', () => {
  // The mails queue: long retry intervals (30 s, 60 s, ...), as greylisting gives them.
  const mails: QueuePolicy = queuePolicies(5, 1).mails;
  const runtimesHere: JobRuntime[] = [];

  afterAll(async () => {
    await Promise.all(runtimesHere.map((r) => r.stop()));
  });

  it('delivers fresh jobs at once behind 100 retrying ones', async () => {
    await provisionTopology(jsm, topology, [policy, mails]);
    const runtime = new JobRuntime({
      js, topology, commands, logger: quiet, drainTimeoutMs: 100,
      queues: [{ policy: mails, handlers: { greylisted: async () => { throw Object.assign(new Error('451 4.7.1 greylisted, try again later'), { responseCode: 'SMTP_451' }); }, fresh: async () => ({ responseCode: 'OK' }) } }],
    });
    runtimesHere.push(runtime);
    runtime.start();
    const create = async (action: string) => {
      const taskId = randomUUID();
      const { events, state } = await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: action, createdBy: 'test', subtasks: [{ id: randomUUID(), key: 'm', name: 'm', queue: 'mails', action }] });
      if (!exists(state)) throw new Error('no task');
      for (const e of events) if (e.type === 'SubTaskQueued') await js.publish(topology.jobSubject('mails'), JSON.stringify({ taskId, subTaskId: e.data.subTaskId, generation: 1, queue: 'mails', action }), { msgID: jobMessageId(e.data.subTaskId, 1) });
      return taskId;
    };
    const retrying = await Promise.all(Array.from({ length: 100 }, () => create('greylisted')));
    await waitFor(async () => ((await Promise.all(retrying.map(taskOf))).every((t) => t.subtasks[0]!.status === 'retrying') ? true : undefined), { description: '100 mails retrying', timeoutMs: 20_000 });
    const fresh = await Promise.all(Array.from({ length: 10 }, () => create('fresh')));
    // Their retries are 30 s away: fresh mails must not wait for them.
    const done = await Promise.all(fresh.map((id) => settled(id, 5_000)));
    expect(done.map((t) => t.status)).toEqual(Array(10).fill('success'));
  });
});
