import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource } from 'typeorm';
import { describe, expect, it, vi } from 'vitest';
import { Topology } from '@vle/contracts';
import type { FilterTask } from '../query/filter/fields.js';
import { parseSearch } from '../query/filter/search-parser.js';
import type { TaskView } from '../query/task.views.js';
import type { LiveChanges } from './live-change.js';
import { LiveClient, LiveHub, type LiveEvent } from './live-hub.js';
import { LISTENER_TTL_MS, LivePublisher } from './live-publisher.js';

const base: FilterTask = { id: 't1', name: 'Clone', status: 'running', type: null, createdBy: 'alice', eventId: null, originTaskId: null, objectType: null, objectId: null, createdAt: 0, updatedAt: 0, startedAt: null, finishedAt: null, subtasks: [] };
const task = (id: string, over: Partial<FilterTask> = {}): FilterTask => ({ ...base, id, ...over });
const view = (t: FilterTask, lastSeq: number) => ({ id: t.id, status: t.status, createdBy: t.createdBy, lastSeq }) as unknown as TaskView;

/** A hub whose read model is `rows` at checkpoint `seq`. */
function fakeHub(state: { seq: number; rows: Array<{ view: TaskView; filterTask: FilterTask }> }) {
  const calls: number[] = [];
  const hub = {
    options: { heartbeatMs: 1000, catchUpMax: 3, maxClients: 10 },
    checkpoint: async () => state.seq,
    changedSince: async (after: number) => {
      calls.push(after);
      const rows = state.rows.filter((r) => r.view.lastSeq > after);
      return rows.length > 3 ? { seq: state.seq, rows: [], more: true } : { seq: state.seq, rows, more: false };
    },
    remove: () => undefined,
  };
  return { hub: hub as unknown as LiveHub, calls };
}

function client(hub: LiveHub, options: { q?: string; after?: number; subject?: string; own?: boolean; accept?: () => boolean } = {}) {
  const events: LiveEvent[] = [];
  const dropped: string[] = [];
  const c = new LiveClient(hub, {
    filter: options.q ? parseSearch(options.q, 0) : undefined,
    visibility: { subject: options.subject ?? 'admin', scope: options.own ? { own: true } : {}, subTasks: true },
    after: options.after,
    send: (e) => {
      events.push(e);
      return options.accept?.() ?? true;
    },
    dropped: (reason) => dropped.push(reason),
  });
  return { c, events, dropped };
}

const rowsOf = (entries: Array<[FilterTask, number]>) => async () => ({ tasks: new Map(entries.map(([t, seq]) => [t.id, { view: view(t, seq), filterTask: t }])) });
const kinds = (events: LiveEvent[]) => events.map((e) => `${e.kind}:${e.kind === 'task' ? e.task.id : e.kind === 'leave' ? e.taskId : ''}@${e.id}`);

describe('a live client', () => {
  it('starts at the checkpoint, then sends a Task that matches now and a leave for one that matched before only', async () => {
    const { hub, calls } = fakeHub({ seq: 10, rows: [] });
    const { c, events } = client(hub, { q: 'status = failed' });
    await c.start();
    const t1 = task('t1', { status: 'failed' });
    const t2 = task('t2', { status: 'running' });
    const t3 = task('t3', { status: 'running' });
    const changes: LiveChanges = { from: 10, seq: 14, changes: [{ taskId: 't1', lastSeq: 11 }, { taskId: 't2', lastSeq: 12, before: task('t2', { status: 'failed' }) }, { taskId: 't3', lastSeq: 13, before: task('t3') }] };
    await c.apply(changes, rowsOf([[t1, 11], [t2, 12], [t3, 13]]));
    expect(kinds(events)).toEqual(['ready:@10', 'task:t1@11', 'leave:t2@12']);
    // Nothing read from the read model: the message followed the cursor.
    expect(calls).toEqual([]);
    // A message already covered is ignored.
    await c.apply(changes, rowsOf([[t1, 11]]));
    expect(events.length).toBe(3);
  });

  it('fills a gap from the read model before a message that does not follow its cursor', async () => {
    const state = { seq: 20, rows: [{ view: view(task('a'), 15), filterTask: task('a') }, { view: view(task('b', { status: 'failed' }), 18), filterTask: task('b', { status: 'failed' }) }] };
    const { hub, calls } = fakeHub(state);
    const { c, events } = client(hub, { q: 'status = running', after: 12 });
    await c.start();
    expect(calls).toEqual([12]);
    // The catch-up: a for the match, leave for b (changed, and not a match now), then ready at the checkpoint.
    expect(kinds(events)).toEqual(['task:a@15', 'leave:b@18', 'ready:@20']);
    // A message from 25 on while the cursor is at 20: a message was lost; the read model is read again.
    state.seq = 30;
    state.rows.push({ view: view(task('c'), 23), filterTask: task('c') });
    await c.apply({ from: 25, seq: 30, changes: [{ taskId: 'd', lastSeq: 27 }] }, rowsOf([[task('d'), 27]]));
    expect(calls).toEqual([12, 20]);
    // c came from the catch-up; d was read there too (the checkpoint covers it), so the message adds nothing.
    expect(kinds(events).slice(3)).toEqual(['task:c@23']);
  });

  it('sends nothing of a Task outside the token scope, before or after', async () => {
    const { hub } = fakeHub({ seq: 0, rows: [] });
    const { c, events } = client(hub, { subject: 'alice', own: true });
    await c.start();
    await c.apply({ from: 0, seq: 3, changes: [{ taskId: 'x', lastSeq: 1, before: task('x', { createdBy: 'bob' }) }, { taskId: 'y', lastSeq: 2 }] }, rowsOf([[task('x', { createdBy: 'bob' }), 1], [task('y'), 2]]));
    expect(kinds(events)).toEqual(['ready:@0', 'task:y@2']);
  });

  it('tells whoever may see a Task whose state before was too big to send that it left, unless it matches now', async () => {
    const { hub } = fakeHub({ seq: 0, rows: [] });
    const failed = client(hub, { q: 'status = failed' });
    const running = client(hub, { q: 'status = running' });
    const other = client(hub, { q: 'status = failed', subject: 'bob', own: true });
    const big = task('big', { status: 'running', createdBy: 'alice' });
    for (const { c } of [failed, running, other]) {
      await c.start();
      await c.apply({ from: 0, seq: 1, changes: [{ taskId: 'big', lastSeq: 1, beforeUnknown: true }] }, rowsOf([[big, 1]]));
    }
    expect(kinds(failed.events)).toEqual(['ready:@0', 'leave:big@1']);
    expect(kinds(running.events)).toEqual(['ready:@0', 'task:big@1']);
    // Outside bob's scope: not even its id.
    expect(kinds(other.events)).toEqual(['ready:@0']);
  });

  it('says reset when more changed since its id than a catch-up sends', async () => {
    const rows = ['a', 'b', 'c', 'd'].map((id, i) => ({ view: view(task(id), i + 1), filterTask: task(id) }));
    const { hub } = fakeHub({ seq: 4, rows });
    const { c, events } = client(hub, { after: 0 });
    await c.start();
    expect(kinds(events)).toEqual(['reset:@4', 'ready:@4']);
  });

  it('is dropped when it reads too slowly, and sends nothing after', async () => {
    const { hub } = fakeHub({ seq: 0, rows: [] });
    let room = 2;
    const { c, events, dropped } = client(hub, { accept: () => --room > 0 });
    await c.start();
    await c.apply({ from: 0, seq: 3, changes: [1, 2, 3].map((n) => ({ taskId: `t${n}`, lastSeq: n })) }, rowsOf([1, 2, 3].map((n) => [task(`t${n}`), n])));
    expect(kinds(events)).toEqual(['ready:@0', 'task:t1@1']);
    expect(dropped).toEqual(['the client reads too slowly']);
  });
});

describe('a replica with live clients', () => {
  it('keeps the leader publishing, whatever its heartbeat: it renews its word well within LISTENER_TTL_MS', async () => {
    vi.useFakeTimers();
    try {
      const topology = new Topology({ namespace: 'unit' });
      // One fake connection for both ends: what the hub publishes on the listeners subject, the publisher hears.
      const callbacks = new Map<string, () => void>();
      const nc = {
        subscribe: (subject: string, options: { callback: () => void }) => {
          callbacks.set(subject, options.callback);
          return { unsubscribe: () => callbacks.delete(subject) };
        },
        publish: (subject: string) => callbacks.get(subject)?.(),
      } as unknown as NatsConnection;
      const db = { query: async () => [] } as unknown as DataSource;
      const publisher = new LivePublisher(nc, topology);
      // A heartbeat an operator may set (PROJECTION_LIVE_HEARTBEAT_MS), longer than the leader's TTL.
      const hub = new LiveHub(nc, topology, db, { heartbeatMs: 60_000, catchUpMax: 10, maxClients: 10 });
      hub.add({ visibility: { subject: 'admin', scope: {}, subTasks: true }, send: () => true, dropped: () => undefined });
      const silent: number[] = [];
      for (let t = 0; t <= 3 * LISTENER_TTL_MS; t += 500) {
        if (!publisher.listening) silent.push(t);
        await vi.advanceTimersByTimeAsync(500);
      }
      hub.stop();
      publisher.close();
      expect(silent).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reads a catch-up once for the clients at the same cursor in the same scope, while it is in flight', async () => {
    const nc = { subscribe: () => ({ unsubscribe: () => undefined }), publish: () => undefined } as unknown as NatsConnection;
    const hub = new LiveHub(nc, new Topology({ namespace: 'unit' }), {} as DataSource, { heartbeatMs: 1000, catchUpMax: 10, maxClients: 10 });
    const read = vi.spyOn(hub as unknown as { readChangedSince: LiveHub['changedSince'] }, 'readChangedSince').mockResolvedValue({ seq: 9, rows: [], more: false });
    const admin = { subject: 'admin', scope: {}, subTasks: true };
    const alice = { subject: 'alice', scope: { own: true }, subTasks: true };
    await Promise.all([hub.changedSince(5, admin, 10), hub.changedSince(5, { ...admin, subject: 'bob' }, 10), hub.changedSince(5, alice, 10), hub.changedSince(6, admin, 10)]);
    // Two admins share one read (the same rows); alice's own Tasks and another cursor are reads of their own.
    expect(read.mock.calls.map(([after, visibility]) => [after, visibility.subject])).toEqual([
      [5, 'admin'],
      [5, 'alice'],
      [6, 'admin'],
    ]);
    // Once settled, the next catch-up reads again.
    await hub.changedSince(5, admin, 10);
    expect(read).toHaveBeenCalledTimes(4);
  });
});
