import { describe, expect, it, vi } from 'vitest';
import { CommandHandler } from './command-handler.js';
import { CommitTooLarge, ConcurrencyConflict, WrongExpectedSequence } from './errors.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { CounterClosed, counterDecider, type CounterCommand, type CounterEvent, type CounterState } from './testing/counter.js';

const newHandler = (store: InMemoryEventStore<CounterEvent>, options = {}) =>
  new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider, options);

const open = (taskId: string): CounterCommand => ({ type: 'Open', taskId });
const inc = (taskId: string, id: string): CounterCommand => ({ type: 'Increment', taskId, id });

describe('CommandHandler', () => {
  it('loads, decides, appends with the expected sequence and returns the new state', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    expect(await handler.handle(open('t1'))).toMatchObject({ events: [{ type: 'Opened' }], seq: 1, state: { open: true } });
    const result = await handler.handle(inc('t1', 'a'));
    expect(result).toMatchObject({ events: [{ type: 'Incremented', id: 'a' }], seq: 2, state: { value: 1 } });
    expect((await store.load('t1')).commits.map((c) => c.seq)).toEqual([1, 2]);
  });

  it('returns no events for a command already applied ("delivered twice")', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    await handler.handle(inc('t1', 'a'));
    const again = await handler.handle(inc('t1', 'a'));
    expect(again).toMatchObject({ events: [], seq: 2, state: { value: 1 } });
    expect(store.allCommits()).toHaveLength(2);
  });

  it('lets a rule violation of decide through unchanged and appends nothing', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    await expect(newHandler(store).handle(inc('t1', 'a'))).rejects.toBeInstanceOf(CounterClosed);
    expect(store.allCommits()).toHaveLength(0);
  });

  it('reloads and decides again when another process appended behind its cache', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const a = newHandler(store);
    const b = newHandler(store);
    await a.handle(open('t1'));
    await b.handle(inc('t1', 'from-b'));
    const result = await a.handle(inc('t1', 'from-a'));
    expect(result).toMatchObject({ seq: 3, state: { value: 2, applied: ['from-b', 'from-a'] } });
  });

  it('does not believe a refusal or a no-op decided on a stale cache', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const a = newHandler(store);
    const b = newHandler(store);
    // a caches "not open"; b opens; a must not refuse on its stale state.
    await expect(a.handle(inc('t1', 'x'))).rejects.toBeInstanceOf(CounterClosed);
    await b.handle(open('t1'));
    expect(await a.handle(inc('t1', 'x'))).toMatchObject({ seq: 2, state: { value: 1 } });
    // b's cache is behind (seq 1); the no-op it decides is checked, and returns the fresh state.
    expect(await b.handle(open('t1'))).toMatchObject({ events: [], seq: 2, state: { value: 1 } });
  });

  it('gives up with ConcurrencyConflict after the bounded retries', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    await store.append('t1', [{ type: 'Opened', taskId: 't1' }], 0);
    vi.spyOn(store, 'append').mockImplementation(async (taskId, _events, expectedSeq) => {
      throw new WrongExpectedSequence(taskId, expectedSeq, expectedSeq + 1);
    });
    const load = vi.spyOn(store, 'load');
    const error = await newHandler(store, { maxConflictRetries: 3 }).handle(inc('t1', 'a')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConcurrencyConflict);
    expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', taskId: 't1', attempts: 4 });
    expect(store.append).toHaveBeenCalledTimes(4);
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('drops the cached state when an append fails for another reason', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    vi.spyOn(store, 'append').mockRejectedValueOnce(new Error('timeout'));
    await expect(handler.handle(inc('t1', 'a'))).rejects.toThrow('timeout');
    const load = vi.spyOn(store, 'load');
    await handler.handle(inc('t1', 'a'));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves a hot task from its cache without reloading', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    const load = vi.spyOn(store, 'load');
    await handler.handle(open('t1'));
    for (let i = 0; i < 5; i++) await handler.handle(inc('t1', `i${i}`));
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serializes the commands of one task inside one process instead of conflicting', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store, { maxConflictRetries: 0 });
    await handler.handle(open('t1'));
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => handler.handle(inc('t1', `i${i}`))));
    expect(results.at(-1)?.state.value).toBe(20);
  });
});

describe('CommandHandler on a conflict', () => {
  it('reads only the commits appended since its cached state, not the whole history again', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const a = newHandler(store);
    const b = newHandler(store);
    await a.handle(open('t1'));
    for (let i = 0; i < 50; i++) await a.handle(inc('t1', `a${i}`));
    await b.handle(inc('t1', 'from-b'));
    const load = vi.spyOn(store, 'load');
    const result = await a.handle(inc('t1', 'after'));
    expect(result).toMatchObject({ seq: 53, state: { value: 52 } });
    const read = await Promise.all(load.mock.results.map((r) => r.value as ReturnType<typeof store.load>));
    expect(read.reduce((n, loaded) => n + loaded.commits.length, 0)).toBe(1);
  });
});

describe('CommandHandler group commit', () => {
  it('appends the commands waiting for one task as one commit, each with its own events', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    const append = vi.spyOn(store, 'append');
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((id) => handler.handle(inc('t1', id))));
    expect(append).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r.events.map((e) => (e.type === 'Incremented' ? e.id : e.type)))).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(new Set(results.map((r) => r.seq))).toEqual(new Set([2]));
    expect(results.every((r) => r.state.value === 4)).toBe(true);
    expect(store.allCommits().at(-1)?.events).toHaveLength(4);
  });

  it('decides each command on the state the earlier ones left: a repeat in the same group is a no-op', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    const [first, repeat] = await Promise.all([handler.handle(inc('t1', 'x')), handler.handle(inc('t1', 'x'))]);
    expect(first.events).toHaveLength(1);
    expect(repeat).toMatchObject({ events: [], seq: first.seq, state: { value: 1 } });
  });

  it('refuses one command of a group alone and appends the others', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    const results = await Promise.allSettled([handler.handle(inc('t1', 'a')), handler.handle(open('other')), handler.handle(inc('t1', 'b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    const closed = await Promise.allSettled([handler.handle(inc('t2', 'a')), handler.handle(open('t2')), handler.handle(inc('t2', 'b'))]);
    // t2 was closed when its first increment was decided: refused; the open and the later increment land.
    expect(closed[0]).toMatchObject({ status: 'rejected', reason: expect.any(CounterClosed) });
    expect(closed[2]).toMatchObject({ status: 'fulfilled', value: { state: { value: 1 } } });
    expect(store.allCommits().filter((c) => c.subject === 't2')).toHaveLength(1);
  });

  it('decides the whole group again after a conflict, losing none of it', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const a = newHandler(store);
    const b = newHandler(store);
    await a.handle(open('t1'));
    await a.handle(inc('t1', 'warm'));
    await b.handle(inc('t1', 'from-b'));
    const results = await Promise.all(['x', 'y', 'z'].map((id) => a.handle(inc('t1', id))));
    expect(results.at(-1)?.state.value).toBe(5);
    expect(store.allCommits()).toHaveLength(4);
  });

  it('splits a group whose commit would be too large, and appends both halves', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store);
    await handler.handle(open('t1'));
    const append = store.append.bind(store);
    vi.spyOn(store, 'append').mockImplementation(async (taskId, events, expected) => {
      if (events.length > 2) throw new CommitTooLarge(taskId, events.length * 1000, 2000);
      return append(taskId, events, expected);
    });
    const results = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => handler.handle(inc('t1', id))));
    expect(results.every((r) => r.events.length === 1)).toBe(true);
    expect(results.at(-1)?.state.value).toBe(5);
    expect(store.allCommits().slice(1).map((c) => c.events.length)).toEqual([2, 2, 1]);
  });

  it('does not group more than maxGroup commands into one commit', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = newHandler(store, { maxGroup: 2 });
    await handler.handle(open('t1'));
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => handler.handle(inc('t1', id))));
    expect(store.allCommits().slice(1).map((c) => c.events.length)).toEqual([2, 2, 1]);
  });
});

describe('CommandHandler creation', () => {
  const creating = { ...counterDecider, isCreation: (command: CounterCommand) => command.type === 'Open' };

  it('appends a creation with expected sequence 0 without reading the log', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, creating);
    const load = vi.spyOn(store, 'load');
    const last = vi.spyOn(store, 'lastSequence');
    expect(await handler.handle(open('t1'))).toMatchObject({ events: [{ type: 'Opened' }], seq: 1 });
    expect(load).not.toHaveBeenCalled();
    expect(last).not.toHaveBeenCalled();
  });

  it('decides a creation of an existing aggregate again on the stored state (an idempotent repeat)', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    await newHandler(store).handle(open('t1'));
    await newHandler(store).handle(inc('t1', 'a'));
    const result = await new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, creating).handle(open('t1'));
    expect(result).toMatchObject({ events: [], seq: 2, state: { open: true, value: 1 } });
    expect(store.allCommits()).toHaveLength(2);
  });
});
