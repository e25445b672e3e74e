// The durable intake against the real NATS: a command is handled in the trace its sender's
// traceparent names; one that cannot be handled now is delivered again with a growing delay, and on
// its last delivery dead-lettered with the last error (issue 8), once, instead of looping as with an
// unbounded max_deliver.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Topology, type DeadLetterJson } from '@vle/contracts';
import { taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, connectNats, deleteTopology, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { ExhaustedDeliveries } from '@vle/messaging';
import { captureSpans, natsBearer, testNamespace, testToken, testVerifier, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskCommandService } from '../tasks/task-command.service.js';
import { CommandIntake, commandRetryDelayMs } from './command-intake.js';

const warnings: string[] = [];
const logger = { log: () => {}, warn: (m: string) => void warnings.push(m), error: (m: string) => void warnings.push(m) };

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
const topology = new Topology({ namespace: testNamespace('intake') });

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'intake-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  await provisionTopology(jsm, topology, []);
});

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

describe('a durable command, traced', () => {
  it("is handled in a CONSUMER span of its sender's trace, with its append inside", async () => {
    const traced = new Topology({ namespace: testNamespace('intake-trace') });
    await provisionTopology(jsm, traced, []);
    const capture = captureSpans('task-api');
    const store = new JetStreamEventStore<TaskEvent>(js, jsm, traced);
    const service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date(), 3_600_000, { benchQueue: true });
    const intake = new CommandIntake({ nc, js, topology: traced, service, verifier: testVerifier(), logger, maxDeliver: 3 });
    intake.start();
    try {
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const headers = natsBearer(await testToken({ subject: 'int' }));
      headers.set('traceparent', `00-${traceId}-b7ad6b7169203331-01`);
      await js.publish(traced.commandSubject('create'), JSON.stringify({ name: 'traced', createdBy: 'int', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }), { headers });
      const name = `process ${traced.commandSubject('create')}`;
      const processed = await waitFor(() => capture.spans().find((s) => s.name === name), { description: 'the span of the durable command' });
      expect(processed).toMatchObject({ kind: 'consumer', traceId, parentSpanId: 'b7ad6b7169203331', attributes: { 'vle.attempt': 1 } });
      expect(capture.spans().map((s) => s.name)).toContain(`append ${traced.eventStream.name}`);
      const append = capture.spans().find((s) => s.name === `append ${traced.eventStream.name}`);
      // Its ancestors up to the sender's span (not captured here: it is the sender's).
      const byId = new Map(capture.spans().map((s) => [s.spanId, s]));
      const ancestors: string[] = [];
      for (let s = byId.get(append!.parentSpanId ?? ''); s; s = byId.get(s.parentSpanId ?? '')) ancestors.push(s.name);
      expect(ancestors).toEqual(['command create', name]);
      expect(append!.traceId).toBe(traceId);
    } finally {
      await intake.stop();
      await capture.stop();
      await deleteTopology(jsm, traced);
    }
  });
});

describe('a durable command that cannot be handled now', () => {
  it('waits 1 s, doubling per delivery up to 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 40].map(commandRetryDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('is dead-lettered with the last error on its last delivery, once, and leaves the work queue', async () => {
    const maxDeliver = 2;
    await jsm.consumers.update(topology.commandStream.name, topology.commandConsumer.durable_name!, { max_deliver: maxDeliver, ack_wait: nanos(30_000) });
    // The event log is gone: every append fails with an error worth retrying, never a refusal.
    await jsm.streams.delete(topology.eventStream.name);
    const store = new JetStreamEventStore<TaskEvent>(js, jsm, topology);
    const service = new TaskCommandService(new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider), () => new Date(), 3_600_000, { benchQueue: true });
    const intake = new CommandIntake({ nc, js, topology, service, verifier: testVerifier(), logger, maxDeliver });
    const exhaustion = new ExhaustedDeliveries({ nc, js, jsm, stream: topology.commandStream.name, consumer: topology.commandConsumer.durable_name!, source: 'commands', deadLetterSubject: topology.deadLetterSubject('commands'), workQueue: true, strandedAfterMs: 60_000, logger });
    exhaustion.start();
    intake.start();
    try {
      const body = JSON.stringify({ name: 'no log', createdBy: 'int', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
      const { seq } = await js.publish(topology.commandSubject('create'), body, { headers: natsBearer(await testToken({ subject: 'int' })) });
      await waitFor(async () => (await jsm.streams.info(topology.commandStream.name)).state.messages === 0, { description: 'the command to leave TASK_COMMANDS' });
      const dlq = (await jsm.streams.info(topology.deadLetterStream.name)).state;
      expect(dlq.messages).toBe(1);
      const letter = (await jsm.streams.getMessage(topology.deadLetterStream.name, { seq: dlq.last_seq }))!.json<DeadLetterJson>();
      expect(letter).toMatchObject({ source: 'commands', code: 'MAX_DELIVERIES', streamSequence: String(seq), payload: Buffer.from(body).toString('base64') });
      expect(letter.reason).toMatch(/^not handled in 2 deliveries \(max_deliver\); last error: .*stream \S+TASK_EVENTS not found/i);
      expect(warnings.filter((w) => w.includes('delivered again in 1000 ms'))).toHaveLength(1);
    } finally {
      await intake.stop();
      await exhaustion.stop();
    }
  });
});
