// The dispatcher against the real NATS: it publishes each generation's job once, and a dispatcher
// whose consumer was reset (created again with DeliverPolicy.All, past the JOBS duplicate window)
// reads history without running any SubTask again.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { queuePolicies, Topology, type QueuePolicy } from '@vle/contracts';
import { exists, taskDecider, type Task, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { InlineDispatch, JobRuntime, type QueueHandlers } from '@vle/messaging';
import { testNamespace, waitFor } from '@vle/testing';
import { nanos } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatcher.js';

const quiet = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m) };
const policy: QueuePolicy = { ...queuePolicies(3, 0.02).bench, concurrency: 8 };

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let store: JetStreamEventStore<TaskEvent>;

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'dispatcher-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('disp'), jobAckWaitMs: 5_000 });
  await provisionTopology(jsm, topology, [policy]);
  // A short duplicate window, so that a republished job is a new message as it would be 10 minutes on.
  const jobs = await jsm.streams.info(topology.jobStream.name);
  await jsm.streams.update(topology.jobStream.name, { ...jobs.config, duplicate_window: nanos(500) });
  store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
});

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

function newCommands() {
  return new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider);
}

function newDispatcher(commands: CommandHandler<TaskCommand, TaskEvent, TaskState>): Dispatcher {
  // Recent: within half the (shortened) duplicate window set in beforeAll.
  return new Dispatcher({ js, store, known: (taskId) => commands.known(taskId), topology, logger: quiet, recentMs: 250 });
}

/** A JetStream client of its own for the dispatcher, recording the subject of every publish it makes. */
function countingPublishes(): { js: JetStreamClient; publishes: string[] } {
  const publishes: string[] = [];
  const counting = new Proxy(js, {
    get: (target, key) => (key === 'publish' ? (subject: string, ...rest: unknown[]) => (publishes.push(subject), target.publish(subject, ...(rest as []))) : Reflect.get(target, key)),
  });
  return { js: counting, publishes };
}

async function taskOf(taskId: string): Promise<Task> {
  const { commits } = await store.load(taskId);
  const state = commits.flatMap((c) => c.events).reduce(taskDecider.evolve, taskDecider.initialState);
  if (!exists(state)) throw new Error(`no task ${taskId}`);
  return state;
}

async function dispatcherCaughtUp(): Promise<void> {
  const info = await jsm.streams.info(topology.eventStream.name);
  await waitFor(async () => {
    const c = await jsm.consumers.info(topology.eventStream.name, topology.dispatcherConsumer.durable_name!);
    return c.ack_floor.stream_seq >= info.state.last_seq && c.num_ack_pending === 0 ? true : undefined;
  }, { description: 'the dispatcher to read the whole log' });
}

describe('Dispatcher', () => {
  it('does not run a SubTask again when its consumer is reset and reads all history', async () => {
    let runs = 0;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const handlers: QueueHandlers = {
      hold: async () => {
        runs += 1;
        await released;
        return { responseCode: 'OK' };
      },
      noop: async () => ((runs += 1), { responseCode: 'OK' }),
    };
    const commands = newCommands();
    const runtime = new JobRuntime({ js, topology, commands, logger: quiet, queues: [{ policy, handlers }], drainTimeoutMs: 100 });
    runtime.start();
    let dispatcher = newDispatcher(commands);
    dispatcher.start();
    const create = async (action: string) => {
      const taskId = randomUUID();
      await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: action, createdBy: 'test', subtasks: [{ id: randomUUID(), key: 'a', name: 'a', queue: 'bench', action }] });
      return taskId;
    };
    const done = await Promise.all([create('noop'), create('noop')]);
    await waitFor(async () => ((await Promise.all(done.map(taskOf))).every((t) => t.status === 'success') ? true : undefined), { description: 'two Tasks done' });
    const holding = await Promise.all([create('hold'), create('hold'), create('hold')]);
    await waitFor(async () => (runs === 5 ? true : undefined), { description: 'three jobs running' });
    await dispatcherCaughtUp();
    const published = (await jsm.streams.info(topology.jobStream.name)).state.last_seq;
    await new Promise((resolve) => setTimeout(resolve, 600)); // past the shortened duplicate window

    // Reset: the consumer is deleted and created again (as provisioning does), reading from the start.
    await dispatcher.stop();
    await jsm.consumers.delete(topology.eventStream.name, topology.dispatcherConsumer.durable_name!);
    await provisionTopology(jsm, topology, [policy]);
    dispatcher = newDispatcher(newCommands());
    dispatcher.start();
    await dispatcherCaughtUp();
    release();
    await waitFor(async () => ((await Promise.all(holding.map(taskOf))).every((t) => t.status === 'success') ? true : undefined), { description: 'the held Tasks done' });

    expect(runs).toBe(5);
    expect((await jsm.streams.info(topology.jobStream.name)).state.last_seq).toBe(published);
    for (const id of [...done, ...holding]) expect((await taskOf(id)).subtasks[0]).toMatchObject({ status: 'success', attempt: 1, executions: 1 });
    await dispatcher.stop();
    await runtime.stop();
  });

  it('skips the commits whose jobs its own process published inline, and publishes the others', async () => {
    const inline = new InlineDispatch(js, topology, quiet);
    const withInline = new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider, { onCommitted: (_taskId, seq, events) => inline.committed(seq, events) });
    const without = newCommands();
    const { js: counting, publishes } = countingPublishes();
    const dispatcher = new Dispatcher({ js: counting, store, known: (taskId) => withInline.known(taskId), topology, logger: quiet, inline });
    dispatcher.start();
    const create = (commands: CommandHandler<TaskCommand, TaskEvent, TaskState>) =>
      commands.handle({ type: 'CreateTask', taskId: randomUUID(), at: new Date().toISOString(), actor: 'test', name: 'inline', createdBy: 'test', subtasks: [{ id: randomUUID(), key: 'a', name: 'a', queue: 'bench', action: 'noop' }] });
    await create(withInline);
    await create(without);
    await dispatcherCaughtUp();
    await dispatcher.stop();
    expect(publishes).toEqual([topology.jobSubject('bench')]);
  });

  it("publishes no job for another process's commit whose attempt started in the same burst, and the job of one that did not", async () => {
    const elsewhere = newCommands();
    const { js: counting, publishes } = countingPublishes();
    const at = () => new Date().toISOString();
    const create = async (name: string) => {
      const taskId = randomUUID();
      const subTaskId = randomUUID();
      await elsewhere.handle({ type: 'CreateTask', taskId, at: at(), actor: 'test', name, createdBy: 'test', subtasks: [{ id: subTaskId, key: 'a', name: 'a', queue: 'bench', action: 'noop' }] });
      return { taskId, subTaskId };
    };
    // Both Tasks appended by another process (no inline path here) before the dispatcher reads: one pull.
    const started = await create('started');
    await elsewhere.handle({ type: 'RecordAttemptStarted', ...started, generation: 1, at: at(), actor: 'worker:bench', attempt: 1, jobId: `${started.subTaskId}:1`, queue: 'bench', jobSeq: 1, deliveryId: randomUUID() });
    await create('waiting');
    // Both recent (no state read): only the burst tells the started one apart.
    let reads = 0;
    const known = (taskId: string) => ((reads += 1), elsewhere.known(taskId));
    const dispatcher = new Dispatcher({ js: counting, store, known, topology, logger: quiet, recentMs: 60_000 });
    dispatcher.start();
    await dispatcherCaughtUp();
    await dispatcher.stop();
    expect(publishes).toEqual([topology.jobSubject('bench')]);
    expect(reads).toBe(0);
  });

  it('publishes the jobs of a recent commit without reading the Task, once however often it reads the commit', async () => {
    // A namespace of its own, with the declared duplicate window (the one above is shortened).
    const own = new Topology({ namespace: testNamespace('disprecent') });
    await provisionTopology(jsm, own, [policy]);
    try {
      const ownStore = new JetStreamEventStore<TaskEvent>(js, jsm, own);
      const commands = new CommandHandler<TaskCommand, TaskEvent, TaskState>(ownStore, taskDecider);
      let reads = 0;
      const known = (taskId: string) => ((reads += 1), commands.known(taskId));
      const taskId = randomUUID();
      await commands.handle({ type: 'CreateTask', taskId, at: new Date().toISOString(), actor: 'test', name: 'recent', createdBy: 'test', subtasks: [{ id: randomUUID(), key: 'a', name: 'a', queue: 'bench', action: 'noop' }] });
      const caughtUp = () => waitFor(async () => {
        const c = await jsm.consumers.info(own.eventStream.name, own.dispatcherConsumer.durable_name!);
        return c.ack_floor.stream_seq >= 1 && c.num_ack_pending === 0 && c.num_pending === 0 ? true : undefined;
      }, { description: 'the dispatcher to read the commit' });
      const first = new Dispatcher({ js, store: ownStore, known, topology: own, logger: quiet });
      first.start();
      await caughtUp();
      await first.stop();
      // Read again from the start (a reset consumer): the commit is recent, its job is not stored twice.
      await jsm.consumers.delete(own.eventStream.name, own.dispatcherConsumer.durable_name!);
      await provisionTopology(jsm, own, [policy]);
      const again = new Dispatcher({ js, store: ownStore, known, topology: own, logger: quiet });
      again.start();
      await caughtUp();
      await again.stop();
      expect(reads).toBe(0);
      expect((await jsm.streams.info(own.jobStream.name)).state.messages).toBe(1);
    } finally {
      await deleteTopology(jsm, own);
    }
  });
});
