// DurableConsumer against a real JetStream: gathering (gatherMs) pulls what is pending as one burst,
// still gets a message back that it nak'd when nothing else is pending, and stops during its pause.

import { AckPolicy, jetstream, jetstreamManager, type Consumer, type ConsumerMessages, type FetchOptions, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '@vle/event-store';
import { testNamespace, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DurableConsumer, Settle, type Settlement } from './durable-consumer.js';

const prefix = testNamespace('durable');
const stream = `${prefix}_S`.toUpperCase();
const subject = (name: string) => `${prefix}.${name}`;
let nc: NatsConnection;
let jsm: JetStreamManager;
const quiet = { log: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  nc = await connectNats('nats://127.0.0.1:4222', 'durable-consumer-int');
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: stream, subjects: [`${prefix}.>`] });
});

afterAll(async () => {
  await jsm?.streams.delete(stream).catch(() => undefined);
  await nc?.close();
});

/** A JetStream client whose consumers record the size of every pull they are asked for. */
function recordingPulls(js: JetStreamClient): { js: JetStreamClient; pulls: number[] } {
  const pulls: number[] = [];
  const recording = new Proxy(js.consumers, {
    get(target, key, receiver) {
      if (key !== 'get') return Reflect.get(target, key, receiver);
      return async (...args: Parameters<typeof target.get>) => {
        const consumer: Consumer = await target.get(...args);
        return new Proxy(consumer, {
          get(c, k, r) {
            if (k !== 'fetch') return Reflect.get(c, k, r);
            return (options: FetchOptions): Promise<ConsumerMessages> => {
              pulls.push(options.max_messages ?? 0);
              return c.fetch(options);
            };
          },
        });
      };
    },
  });
  return { js: new Proxy(js, { get: (t, k, r) => (k === 'consumers' ? recording : Reflect.get(t, k, r)) }), pulls };
}

async function durable(name: string): Promise<string> {
  await jsm.consumers.add(stream, { durable_name: name, filter_subject: subject(name), ack_policy: AckPolicy.Explicit, max_ack_pending: 256, ack_wait: 30e9 });
  return name;
}

function consumerOf(js: JetStreamClient, name: string, gatherMs: number, handle: (m: JsMsg) => Promise<Settlement>): DurableConsumer {
  return new DurableConsumer({ js, stream, durable: name, name, concurrency: 64, logger: quiet, gatherMs, handle });
}

describe('DurableConsumer with gatherMs', () => {
  it('pulls the messages stored during its pause as one burst, each handled once', async () => {
    const name = await durable('burst');
    const { js, pulls } = recordingPulls(jetstream(nc));
    const seen: number[] = [];
    const consumer = consumerOf(js, name, 1000, async (m) => {
      seen.push(Number(m.string()));
      return Settle.ack;
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => jetstream(nc).publish(subject(name), String(i))));
    consumer.start();
    try {
      await waitFor(() => seen.length === 40, { timeoutMs: 10_000, description: '40 messages handled' });
      expect(pulls).toEqual([40]);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
      // More than one pull holds (64 at once): pulled again without pausing until nothing is pending.
      await Promise.all(Array.from({ length: 100 }, (_, i) => jetstream(nc).publish(subject(name), String(100 + i))));
      await waitFor(() => seen.length === 140, { timeoutMs: 10_000, description: '140 messages handled' });
      expect(pulls.slice(1)).toEqual([64, 36]);
    } finally {
      await consumer.stop();
    }
  });

  it('gets a message it handed back (nak) again when nothing else is pending', async () => {
    const name = await durable('nak');
    let deliveries = 0;
    const consumer = consumerOf(jetstream(nc), name, 100, async () => (++deliveries === 1 ? Settle.nak(200) : Settle.ack));
    await jetstream(nc).publish(subject(name), 'once');
    consumer.start();
    try {
      await waitFor(() => deliveries === 2, { timeoutMs: 10_000, description: 'the second delivery' });
      await waitFor(async () => (await jsm.consumers.info(stream, name)).num_ack_pending === 0, { timeoutMs: 5_000, description: 'the ack' });
      expect(deliveries).toBe(2);
    } finally {
      await consumer.stop();
    }
  });

  it('stops during its pause without waiting for it to end', async () => {
    const name = await durable('stop');
    const consumer = consumerOf(jetstream(nc), name, 60_000, async () => Settle.ack);
    consumer.start();
    await new Promise((resolve) => setImmediate(resolve));
    const started = Date.now();
    await consumer.stop();
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
