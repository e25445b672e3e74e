import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CommandHandler } from './command-handler.js';
import { connectNats } from './connect.js';
import { JetStreamEventStore } from './jetstream-event-store.js';
import { CounterClosed, counterDecider, type CounterCommand, type CounterEvent, type CounterState } from './testing/counter.js';
import { NATS_URL, provisionedNamespace, type TestNats } from './testing/nats.js';

let ids = 0;
const newTaskId = () => `counter-${Date.now().toString(36)}-${++ids}`;

describe('CommandHandler over JetStream', () => {
  let nats: TestNats;
  // One connection per handler: two processes as far as the server can tell.
  const connections: NatsConnection[] = [];

  async function newHandler(options = {}) {
    const nc = await connectNats(NATS_URL, `handler-${connections.length}`);
    connections.push(nc);
    const store = await JetStreamEventStore.connect<CounterEvent>(nc, nats.topology);
    return { store, handler: new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider, options) };
  }

  beforeAll(async () => {
    nats = await provisionedNamespace('cmd');
  });

  afterAll(async () => {
    await Promise.all(connections.map((nc) => nc.close()));
    await nats?.cleanup();
  });

  it('two handlers hammering one task lose no update', async () => {
    // One command per commit, so that every increment races the other process for the fence.
    const [a, b] = [await newHandler({ maxConflictRetries: 50, maxGroup: 1 }), await newHandler({ maxConflictRetries: 50, maxGroup: 1 })];
    const taskId = newTaskId();
    await a.handler.handle({ type: 'Open', taskId });
    const loads = [vi.spyOn(a.store, 'load'), vi.spyOn(b.store, 'load')];
    const increments = Array.from({ length: 50 }, (_, i) => ({ type: 'Increment' as const, taskId, id: `inc-${i}` }));
    const results = await Promise.all(increments.map((command, i) => (i % 2 ? b : a).handler.handle(command)));

    // The two really collided (each reload after the first is a conflict retry)...
    expect(loads[0]!.mock.calls.length + loads[1]!.mock.calls.length).toBeGreaterThan(2);
    // ...and still every increment landed exactly once.
    const seqs = results.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(50);
    expect(results.every((r) => r.events.length === 1)).toBe(true);
    const loaded = await a.store.load(taskId);
    const state = loaded.commits.flatMap((c) => c.events).reduce(counterDecider.evolve, counterDecider.initialState);
    expect(state.value).toBe(50);
    expect([...state.applied].sort()).toEqual(increments.map((c) => c.id).sort());
    expect(loaded.commits).toHaveLength(51);
    // Both caches converge on the log once they see it.
    expect((await a.handler.handle(increments[1]!)).state.value).toBe(50);
    expect((await b.handler.handle(increments[0]!)).state.value).toBe(50);
  });

  it('absorbs the same command delivered to both handlers at once ("delivered twice")', async () => {
    const [a, b] = [await newHandler(), await newHandler()];
    const taskId = newTaskId();
    await a.handler.handle({ type: 'Open', taskId });
    const command = { type: 'Increment' as const, taskId, id: 'once' };
    const results = await Promise.all([a.handler.handle(command), b.handler.handle(command)]);
    expect(results.map((r) => r.events.length).sort()).toEqual([0, 1]);
    expect(results.map((r) => r.state.value)).toEqual([1, 1]);
    expect((await a.store.load(taskId)).commits).toHaveLength(2);
  });

  it('sees another process\'s change before refusing on its cached state', async () => {
    const [a, b] = [await newHandler(), await newHandler()];
    const taskId = newTaskId();
    await expect(a.handler.handle({ type: 'Increment', taskId, id: 'x' })).rejects.toBeInstanceOf(CounterClosed);
    await b.handler.handle({ type: 'Open', taskId });
    expect((await a.handler.handle({ type: 'Increment', taskId, id: 'x' })).state).toMatchObject({ open: true, value: 1 });
  });

  it('gives up with CONCURRENCY_CONFLICT when retries are exhausted under contention', async () => {
    const handlers = await Promise.all(Array.from({ length: 4 }, () => newHandler({ maxConflictRetries: 0 })));
    const taskId = newTaskId();
    await handlers[0]!.handler.handle({ type: 'Open', taskId });
    // Every handler caches seq 1, then all append at once: one wins, the others must not retry.
    await Promise.all(handlers.map((h) => h.handler.handle({ type: 'Open', taskId })));
    const settled = await Promise.allSettled(handlers.map((h, i) => h.handler.handle({ type: 'Increment', taskId, id: `c${i}` })));
    const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    expect(rejected).toHaveLength(3);
    for (const r of rejected) expect(r.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', taskId, attempts: 1 });
    expect((await handlers[0]!.store.load(taskId)).commits).toHaveLength(2);
  });
});
