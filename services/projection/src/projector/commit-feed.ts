// The event log as the projector reads it: every message of TASK_EVENTS from a sequence on, in stream
// order, including those that are not commits. The event store's subscription skips a malformed
// message and reports it to `onMalformed`; here it is put back in its place, so that the checkpoint
// moves past it like past any commit (the projection's lag reaches 0, and the skip is recorded with
// its seq in the same transaction as the rows around it).

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import { JetStreamEventStore, type EventLike, type EventStore, type MalformedCommit, type StoredCommit } from '@vle/event-store';
import type { IncomingCommit } from './commit.js';

export interface CommitFeed {
  /** Messages from stream sequence `fromSeq` (inclusive) in order, until `signal` aborts. */
  commits(fromSeq: number, signal: AbortSignal): AsyncIterable<IncomingCommit>;
  /** The stream's last sequence (0 while empty): lag = lastSeq - checkpoint. */
  lastSeq(): Promise<number>;
}

interface Tracked<T> {
  readonly promise: Promise<T>;
  settled: boolean;
}

function track<T>(promise: Promise<T>): Tracked<T> {
  const tracked: Tracked<T> = { promise, settled: false };
  promise.then(
    () => (tracked.settled = true),
    () => (tracked.settled = true),
  );
  return tracked;
}

function asIncoming(error: MalformedCommit): IncomingCommit {
  return { seq: error.seq, subject: error.subject, events: undefined, malformed: error.reason };
}

export class EventStoreFeed implements CommitFeed {
  constructor(
    private readonly store: Pick<EventStore<EventLike>, 'subscribe'>,
    private readonly streamLastSeq: () => Promise<number>,
    private readonly maxBuffered = 1024,
  ) {}

  lastSeq(): Promise<number> {
    return this.streamLastSeq();
  }

  async *commits(fromSeq: number, signal: AbortSignal): AsyncGenerator<IncomingCommit> {
    const malformed: MalformedCommit[] = [];
    let notify: (() => void) | undefined;
    const subscription = await this.store.subscribe(fromSeq, {
      maxBuffered: this.maxBuffered,
      onMalformed: (error) => {
        malformed.push(error);
        notify?.();
      },
    });
    const stop = () => void subscription.stop();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();
    try {
      let pending = track(subscription.nextBatch());
      for (;;) {
        const reported = malformed.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => (notify = resolve));
        await Promise.race([pending.promise, reported]);
        notify = undefined;
        // The subscription buffers the commits stored before a malformed message before it reports
        // that message; one turn of the event loop lets them reach the pending nextBatch.
        if (!pending.settled) await new Promise((resolve) => setImmediate(resolve));
        if (!pending.settled) {
          // Nothing was buffered before them: whatever comes next is stored after them.
          yield* malformed.splice(0).map(asIncoming);
          continue;
        }
        const batch = await pending.promise;
        if (batch.length === 0) return;
        yield* merge(batch, malformed);
        pending = track(subscription.nextBatch());
      }
    } finally {
      signal.removeEventListener('abort', stop);
      await subscription.stop();
    }
  }
}

/** The batch's commits with the malformed messages stored before each of them, in sequence order. */
function* merge(batch: readonly StoredCommit<EventLike>[], malformed: MalformedCommit[]): Generator<IncomingCommit> {
  for (const commit of batch) {
    while (malformed.length > 0 && malformed[0]!.seq < commit.seq) yield asIncoming(malformed.shift()!);
    yield { seq: commit.seq, subject: commit.subject, events: commit.events, ...(commit.jobsLeft ? { jobsLeft: commit.jobsLeft } : {}), ...(commit.trace ? { trace: commit.trace } : {}) };
  }
}

/** The feed of TASK_EVENTS on a NATS connection. */
export async function createJetStreamFeed(nc: NatsConnection, topology: Topology): Promise<CommitFeed> {
  const store = await JetStreamEventStore.connect<EventLike>(nc, topology);
  const jsm = await jetstreamManager(nc);
  const stream = topology.eventStream.name;
  return new EventStoreFeed(store, async () => (await jsm.streams.info(stream)).state.last_seq);
}
