import type { NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { Topology } from '@vle/contracts';
import type { AppliedBatch, TaskChange } from '../projector/task.projector.js';
import type { Task } from '@vle/domain';
import { CHANGES_PER_MESSAGE, MESSAGE_BYTES, type LiveChanges } from './live-change.js';
import { LISTENER_TTL_MS, LivePublisher } from './live-publisher.js';

const topology = new Topology({ namespace: 'unit' });

function fakeNats() {
  const published: LiveChanges[] = [];
  let listener: (() => void) | undefined;
  const nc = {
    subscribe: (_subject: string, options: { callback: () => void }) => {
      listener = options.callback;
      return { unsubscribe: () => undefined };
    },
    publish: (_subject: string, data: Uint8Array) => published.push(JSON.parse(new TextDecoder().decode(data)) as LiveChanges),
  };
  return { nc: nc as unknown as NatsConnection, published, hear: () => listener?.() };
}

const batch = (checkpoint: number, changedTasks: TaskChange[]): AppliedBatch => ({ checkpoint, commits: changedTasks.length, events: 0, skipped: [], taskRows: 0, subTaskRows: 0, changedSubTasks: [], changedTasks });

describe('the live publisher', () => {
  it('publishes nothing until a replica said it listens, and stops when none has said so lately', () => {
    let now = 1_000_000;
    const { nc, published, hear } = fakeNats();
    const publisher = new LivePublisher(nc, topology, () => now);
    publisher.published(0, batch(5, [{ taskId: 'a', lastSeq: 5 }]));
    expect(published).toEqual([]);
    hear();
    publisher.published(5, batch(6, [{ taskId: 'a', lastSeq: 6 }]));
    expect(published).toEqual([{ from: 5, seq: 6, changes: [{ taskId: 'a', lastSeq: 6 }] }]);
    now += LISTENER_TTL_MS;
    publisher.published(6, batch(7, [{ taskId: 'a', lastSeq: 7 }]));
    expect(published.length).toBe(1);
  });

  it('sends a batch in parts of contiguous ranges, in sequence order, an empty batch too', () => {
    const { nc, published, hear } = fakeNats();
    const publisher = new LivePublisher(nc, topology);
    hear();
    const n = CHANGES_PER_MESSAGE * 2 + 5;
    const changes = Array.from({ length: n }, (_, i) => ({ taskId: `t${i}`, lastSeq: 100 + n - i }));
    publisher.published(100, batch(100 + n + 3, changes));
    expect(published.map((m) => [m.from, m.seq, m.changes.length])).toEqual([
      [100, 100 + CHANGES_PER_MESSAGE, CHANGES_PER_MESSAGE],
      [100 + CHANGES_PER_MESSAGE, 100 + 2 * CHANGES_PER_MESSAGE, CHANGES_PER_MESSAGE],
      [100 + 2 * CHANGES_PER_MESSAGE, 100 + n + 3, 5],
    ]);
    const seqs = published.flatMap((m) => m.changes.map((c) => c.lastSeq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    publisher.published(500, batch(501, []));
    expect(published.at(-1)).toEqual({ from: 500, seq: 501, changes: [] });
  });

  it('keeps each message within MESSAGE_BYTES, and sends a state before too big for one as unknown', () => {
    const { nc, published, hear } = fakeNats();
    const sizes: number[] = [];
    const publish = nc.publish.bind(nc);
    (nc as unknown as { publish: (subject: string, data: Uint8Array) => void }).publish = (subject, data) => {
      sizes.push(data.byteLength);
      publish(subject, data);
    };
    const publisher = new LivePublisher(nc, topology);
    hear();
    const stateOf = (id: string, subtasks: number) =>
      ({
        id,
        name: id,
        status: 'running',
        createdBy: 'alice',
        createdAt: '2026-12-01T00:00:00.000Z',
        updatedAt: '2026-12-01T00:00:00.000Z',
        subtasks: Array.from({ length: subtasks }, (_, i) => ({ queue: 'pve_vm_clone', action: 'vm.clone', status: 'queued', objectType: 'vm', objectId: String(1000 + i), responseMessage: 'é'.repeat(40) })),
      }) as unknown as Task;
    // Ten Tasks of 300 SubTasks (each about 60 KB before), then one of 10,000 (over 2 MB).
    const changes: TaskChange[] = [...Array.from({ length: 10 }, (_, i) => ({ taskId: `t${i}`, lastSeq: 10 + i, before: stateOf(`t${i}`, 300) })), { taskId: 'huge', lastSeq: 30, before: stateOf('huge', 10_000) }];
    publisher.published(9, batch(31, changes));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MESSAGE_BYTES + 100);
    expect(published.length).toBeGreaterThan(1);
    // Contiguous parts, every change once, in order; the small ones whole, the huge one without its state.
    expect(published.map((m) => m.from)).toEqual([9, ...published.slice(0, -1).map((m) => m.seq)]);
    expect(published.at(-1)!.seq).toBe(31);
    const sent = published.flatMap((m) => m.changes);
    expect(sent.map((c) => c.taskId)).toEqual(changes.map((c) => c.taskId));
    expect(sent.slice(0, 10).every((c) => c.before?.subtasks.length === 300 && c.beforeUnknown === undefined)).toBe(true);
    expect(sent.at(-1)).toEqual({ taskId: 'huge', lastSeq: 30, beforeUnknown: true });
  });
});
