import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type NatsConnectionImpl } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from './connect.js';
import { MAX_BATCH_BYTES, TurnBatchingTransport } from './nats-transport.js';
import { NATS_URL } from './testing/nats.js';

const transportOf = (nc: NatsConnection) => (nc as NatsConnectionImpl).protocol.transport as TurnBatchingTransport;
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Collects what arrives on `subject` over a plain nats.js connection, until `count` messages. */
async function receiver(plain: NatsConnection, subject: string, count: number): Promise<{ received: Promise<string[]> }> {
  const sub = plain.subscribe(subject, { max: count });
  await plain.flush();
  const received = (async () => {
    const out: string[] = [];
    for await (const m of sub) out.push(m.string());
    return out;
  })();
  return { received };
}

describe('TurnBatchingTransport', () => {
  let plain: NatsConnection;
  beforeAll(async () => {
    plain = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    await plain.close();
  });

  it('is the transport under connectNats', async () => {
    const nc = await connectNats(NATS_URL, 'transport-test');
    expect(transportOf(nc)).toBeInstanceOf(TurnBatchingTransport);
    await nc.close();
  });

  it('writes what the microtasks of one turn published in one socket write, in order', async () => {
    const nc = await connectNats(NATS_URL, 'transport-test');
    const subject = `transport.${randomUUID()}`;
    const { received } = await receiver(plain, subject, 100);
    await nextTurn();
    const before = transportOf(nc).writes;
    // Each publish at another microtask depth: nats.js alone flushes at every checkpoint between them.
    for (let i = 0; i < 100; i++) {
      let step: Promise<void> = Promise.resolve();
      for (let depth = 0; depth < i % 7; depth++) step = step.then(() => undefined);
      void step.then(() => nc.publish(subject, String(i)));
    }
    await nextTurn();
    await nextTurn();
    expect(transportOf(nc).writes - before).toBe(1);
    const expected = Array.from({ length: 100 }, (_, i) => String(i)).sort();
    expect((await received).sort()).toEqual(expected);
    await nc.close();
  });

  it('writes at once past MAX_BATCH_BYTES and loses or reorders nothing', async () => {
    const nc = await connectNats(NATS_URL, 'transport-test');
    const subject = `transport.${randomUUID()}`;
    const count = 2_000;
    const { received } = await receiver(plain, subject, count);
    const before = transportOf(nc).writes;
    const payload = (i: number) => `${i}:${'x'.repeat(i % 3 === 0 ? 1000 : 10)}`;
    for (let i = 0; i < count; i++) nc.publish(subject, payload(i));
    const sent = Array.from({ length: count }, (_, i) => payload(i)).join('').length;
    // Written while the loop ran (the turn had not ended), not kept until setImmediate.
    expect(transportOf(nc).writes - before).toBeGreaterThanOrEqual(Math.floor(sent / (MAX_BATCH_BYTES + 64 * 1024)));
    await nc.flush();
    expect(await received).toEqual(Array.from({ length: count }, (_, i) => payload(i)));
    await nc.close();
  });

  it('writes what it keeps when the connection drains', async () => {
    const nc = await connectNats(NATS_URL, 'transport-test');
    const subject = `transport.${randomUUID()}`;
    const { received } = await receiver(plain, subject, 3);
    nc.publish(subject, 'a');
    nc.publish(subject, 'b');
    nc.publish(subject, 'c');
    await nc.drain();
    expect(await received).toEqual(['a', 'b', 'c']);
  });

  it('carries requests and their replies (JetStream API calls are requests)', async () => {
    const nc = await connectNats(NATS_URL, 'transport-test');
    const subject = `transport.${randomUUID()}`;
    const sub = plain.subscribe(subject, { callback: (_err, m) => void m.respond(`re:${m.string()}`) });
    await plain.flush();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => nc.request(subject, String(i), { timeout: 5000 })));
    expect(replies.map((r) => r.string())).toEqual(Array.from({ length: 50 }, (_, i) => `re:${i}`));
    sub.unsubscribe();
    await nc.close();
  });
});
