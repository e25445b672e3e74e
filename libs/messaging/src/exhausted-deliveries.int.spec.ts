// Exhausted deliveries against the real nats-server: the MAX_DELIVERIES and MSG_TERMINATED
// advisories of a consumer end in one dead letter with the reason, a work queue is emptied of what
// its consumer gave up on, and the sweep finds what exhausted while no listener ran.

import { jetstream, jetstreamManager, type Consumer, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { Topology, type DeadLetterJson } from '@vle/contracts';
import { connectNats, deleteTopology, provisionTopology } from '@vle/event-store';
import { testNamespace, waitFor } from '@vle/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { publishDeadLetter } from './dead-letter.js';
import { ExhaustedDeliveries, type ExhaustedDelivery, type ExhaustedDeliveriesOptions } from './exhausted-deliveries.js';

const quiet = { log: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let listeners: ExhaustedDeliveries[] = [];
let seen: ExhaustedDelivery[] = [];
const MAX_DELIVER = 2;

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'exhausted-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
});

beforeEach(async () => {
  topology = new Topology({ namespace: testNamespace('exh') });
  await provisionTopology(jsm, topology, []);
  // The intake's consumer, with few deliveries so that a test exhausts them at once.
  await jsm.consumers.update(topology.commandStream.name, topology.commandConsumer.durable_name!, { max_deliver: MAX_DELIVER, ack_wait: nanos(60_000) });
  await jsm.consumers.update(topology.pveInventoryStream.name, topology.pveInventoryConsumer.durable_name!, { max_deliver: MAX_DELIVER, ack_wait: nanos(60_000) });
  seen = [];
});

afterEach(async () => {
  await Promise.all(listeners.map((l) => l.stop()));
  listeners = [];
  await deleteTopology(jsm, topology);
});

afterAll(async () => {
  await nc.close();
});

function listen(overrides: Partial<ExhaustedDeliveriesOptions> = {}): ExhaustedDeliveries {
  const listener = new ExhaustedDeliveries({
    nc,
    js,
    jsm,
    stream: topology.commandStream.name,
    consumer: topology.commandConsumer.durable_name!,
    source: 'commands',
    deadLetterSubject: topology.deadLetterSubject('commands'),
    workQueue: true,
    strandedAfterMs: 60_000,
    onExhausted: async (delivery) => void seen.push(delivery),
    logger: quiet,
    ...overrides,
  });
  listeners.push(listener);
  listener.start();
  return listener;
}

async function commandConsumer(): Promise<Consumer> {
  return js.consumers.get(topology.commandStream.name, topology.commandConsumer.durable_name!);
}

/** Takes the next message and naks it at once: the test plays a handler that never succeeds. */
async function failOnce(consumer: Consumer): Promise<number> {
  const message = await consumer.next({ expires: 5_000 });
  if (!message) throw new Error('no message delivered');
  message.nak();
  return message.seq;
}

async function deadLetters(): Promise<{ code: string | undefined; body: DeadLetterJson }[]> {
  const stream = topology.deadLetterStream.name;
  const { first_seq, last_seq, messages } = (await jsm.streams.info(stream)).state;
  const out: { code: string | undefined; body: DeadLetterJson }[] = [];
  for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) out.push({ code: message.header.get('Vle-Dead-Letter-Code') || undefined, body: message.json<DeadLetterJson>() });
  }
  return out;
}

async function commandsStored(): Promise<number> {
  return (await jsm.streams.info(topology.commandStream.name)).state.messages;
}

describe('a message its consumer gave up on', () => {
  it('after max_deliver deliveries is dead-lettered once with the reason and removed from the work queue', async () => {
    listen();
    await js.publish(topology.commandSubject('create'), '{"poison":true}');
    const consumer = await commandConsumer();
    for (let i = 0; i < MAX_DELIVER; i++) await failOnce(consumer);
    // The server gives up when it would deliver again, i.e. on the next pull (a live consumer always has one).
    expect(await consumer.next({ expires: 1_000 })).toBeNull();
    const [letter] = await waitFor(async () => ((await deadLetters()).length > 0 ? deadLetters() : undefined), { description: 'the dead letter' });
    expect(letter!.code).toBe('MAX_DELIVERIES');
    expect(letter!.body).toMatchObject({ source: 'commands', subject: topology.commandSubject('create'), code: 'MAX_DELIVERIES', streamSequence: '1' });
    expect(letter!.body.reason).toContain(`after ${MAX_DELIVER} deliveries without an ack`);
    expect(Buffer.from(letter!.body.payload!, 'base64').toString()).toBe('{"poison":true}');
    await waitFor(async () => (await commandsStored()) === 0, { description: 'the work queue to be empty' });
    expect(seen.map((d) => [d.kind, d.streamSeq, d.deliveries, d.swept])).toEqual([['MAX_DELIVERIES', 1, MAX_DELIVER, false]]);
    expect(await deadLetters()).toHaveLength(1);
  });

  it('terminated by a handler that dead-lettered it is not dead-lettered twice', async () => {
    listen();
    await js.publish(topology.commandSubject('create'), '{"refused":true}');
    const message = (await (await commandConsumer()).next({ expires: 5_000 }))!;
    await publishDeadLetter(js, { source: 'commands', deadLetterSubject: topology.deadLetterSubject('commands'), code: 'VALIDATION_FAILED', reason: 'refused', message });
    message.term();
    await waitFor(() => seen.length === 1 || undefined, { description: 'the MSG_TERMINATED advisory' });
    expect(seen[0]).toMatchObject({ kind: 'TERMINATED', streamSeq: 1, deliveries: 1 });
    await expect(deadLetters()).resolves.toEqual([expect.objectContaining({ code: 'VALIDATION_FAILED' })]);
    expect(await commandsStored()).toBe(0);
  });

  it('terminated on a limits stream (the inventory snapshots) is dead-lettered and left in the stream', async () => {
    const consumer = topology.pveInventoryConsumer.durable_name!;
    listen({ stream: topology.pveInventoryStream.name, consumer, source: 'inventory.pve', deadLetterSubject: topology.deadLetterSubject('inventory.pve'), workQueue: false });
    await js.publish(topology.pveInventorySubject, 'not a snapshot');
    const message = (await (await js.consumers.get(topology.pveInventoryStream.name, consumer)).next({ expires: 5_000 }))!;
    message.term();
    const [letter] = await waitFor(async () => ((await deadLetters()).length > 0 ? deadLetters() : undefined), { description: 'the dead letter' });
    expect(letter!.body).toMatchObject({ source: 'inventory.pve', code: 'TERMINATED', streamSequence: '1' });
    expect(letter!.body.reason).toContain(`terminated by consumer ${consumer} after 1 deliveries`);
    expect((await jsm.streams.info(topology.pveInventoryStream.name)).state.messages).toBe(1);
  });

  it('the sweep of an empty work queue (a fresh system) finds nothing and warns of nothing', async () => {
    const warnings: string[] = [];
    const listener = listen({ logger: { ...quiet, warn: (m: string) => void warnings.push(m) }, sweepIntervalMs: 3_600_000 });
    await listener.sweep();
    expect(warnings).toEqual([]);
    expect(await deadLetters()).toEqual([]);
  });

  it('exhausted while no listener ran is found by the sweep, and one still in flight is left alone', async () => {
    await js.publish(topology.commandSubject('create'), '{"lost":true}');
    const consumer = await commandConsumer();
    // The first exhausts its deliveries (its advisory fires to no one); the second is held unacked.
    expect(await failOnce(consumer)).toBe(1);
    expect(await failOnce(consumer)).toBe(1);
    await js.publish(topology.commandSubject('create'), '{"in flight":true}');
    const held = (await consumer.next({ expires: 5_000 }))!;
    expect(held.seq).toBe(2);
    let now = 1_000_000;
    const listener = listen({ strandedAfterMs: 10_000, now: () => now, sweepIntervalMs: 3_600_000 });
    await listener.sweep();
    expect(await deadLetters()).toEqual([]);
    // The held one finishes before it could have been stranded; the lost one stays.
    held.ack();
    await waitFor(async () => (await commandsStored()) === 1, { description: 'the held message to be acked' });
    now += 10_000;
    await listener.sweep();
    const letters = await deadLetters();
    expect(letters.map((l) => [l.code, l.body.streamSequence])).toEqual([['MAX_DELIVERIES', '1']]);
    expect(letters[0]!.body.reason).toContain('found by the sweep');
    expect(seen.map((d) => [d.kind, d.streamSeq, d.swept])).toEqual([['MAX_DELIVERIES', 1, true]]);
    await waitFor(async () => (await commandsStored()) === 0, { description: 'the work queue to be empty' });
  });
});
