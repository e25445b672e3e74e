// An AggregateStore in memory with the semantics of the JetStream one (one global sequence,
// the expected-sequence fence, validation, JSON round trip), for unit tests of command handlers.

import { carrierOfContext, type TraceCarrier } from '@vle/tracing';
import { validateCommit, type EventLike, type StoredCommit } from './commit-codec.js';
import { WrongExpectedSequence } from './errors.js';
import type { AggregateStore, LoadedStream } from './event-store.js';

export class InMemoryEventStore<E extends EventLike> implements AggregateStore<E> {
  private readonly byTask = new Map<string, StoredCommit<E>[]>();
  private lastStreamSeq = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async append(taskId: string, events: readonly E[], expectedSeq: number): Promise<{ seq: number }> {
    validateCommit(taskId, events);
    const actual = this.byTask.get(taskId)?.at(-1)?.seq ?? 0;
    if (actual !== expectedSeq) throw new WrongExpectedSequence(taskId, expectedSeq, actual);
    const seq = ++this.lastStreamSeq;
    const trace = carrierOfContext();
    const commit: StoredCommit<E> = { seq, subject: taskId, time: this.now().toISOString(), events: roundTrip(events), ...(trace ? { trace } : {}) };
    this.byTask.set(taskId, [...(this.byTask.get(taskId) ?? []), commit]);
    return { seq };
  }

  async load(taskId: string, options: { readonly afterSeq?: number } = {}): Promise<LoadedStream<E>> {
    const all = this.byTask.get(taskId) ?? [];
    const commits = all.filter((c) => c.seq > (options.afterSeq ?? 0)).map((commit) => ({ ...commit, events: roundTrip(commit.events) }));
    return { commits, lastSeq: all.at(-1)?.seq ?? 0 };
  }

  readonly streamName = 'TASK_EVENTS (in memory)';

  async firstCommitTrace(taskId: string): Promise<TraceCarrier | undefined> {
    return this.byTask.get(taskId)?.[0]?.trace;
  }

  async lastSequence(taskId: string): Promise<number> {
    return this.byTask.get(taskId)?.at(-1)?.seq ?? 0;
  }

  /** Every commit of every Task, in sequence order. */
  allCommits(): StoredCommit<E>[] {
    return [...this.byTask.values()].flat().sort((a, b) => a.seq - b.seq);
  }
}

/** Events come back from the log as parsed JSON, never as the objects that were appended. */
function roundTrip<E>(events: readonly E[]): E[] {
  return JSON.parse(JSON.stringify(events)) as E[];
}
