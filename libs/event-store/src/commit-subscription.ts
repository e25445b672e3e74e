// A subscription over an ordered consumer. A pump moves commits from the client's iterator into a
// bounded buffer; while the buffer is full the pump stops pulling, and so does the client (its
// next pull request runs only when its iterator is read): a slow projection holds no more than
// `maxBuffered` commits in memory.

import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { Headers, type Topology } from '@vle/contracts';
import { traceCarrierOf } from '@vle/tracing';
import { decodeCommit, parseJobsLeft, type EventLike, type StoredCommit } from './commit-codec.js';
import { hasErrorCode, type MalformedCommit } from './errors.js';
import type { CommitSubscription } from './event-store.js';

export const DEFAULT_MAX_BUFFERED = 256;

export class OrderedCommitSubscription<E extends EventLike> implements CommitSubscription<E> {
  readonly closed: Promise<Error | undefined>;
  private readonly buffer: StoredCommit<E>[] = [];
  private stopped = false;
  private ended = false;
  private endError: Error | undefined;
  private readers: (() => void)[] = [];
  private pumpWaiter: (() => void) | undefined;

  constructor(
    private readonly consumer: Consumer,
    private readonly messages: ConsumerMessages,
    private readonly topology: Topology,
    private readonly maxBuffered: number,
    private readonly onMalformed: (error: MalformedCommit) => void,
  ) {
    this.closed = this.pump();
  }

  async nextBatch(max = this.maxBuffered): Promise<StoredCommit<E>[]> {
    while (this.buffer.length === 0) {
      if (this.stopped) return [];
      if (this.ended) {
        if (this.endError) throw this.endError;
        return [];
      }
      await new Promise<void>((resolve) => this.readers.push(resolve));
    }
    const batch = this.buffer.splice(0, Math.max(1, max));
    this.wake('pump');
    return batch;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StoredCommit<E>> {
    for (;;) {
      const batch = await this.nextBatch();
      if (batch.length === 0) return;
      yield* batch;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.buffer.length = 0;
    this.wake('reader');
    this.wake('pump');
    await this.messages.close();
    await this.closed;
    // Ordered consumers are ephemeral with an inactive threshold; deleting now frees them at once.
    await this.consumer.delete().catch(() => undefined);
  }

  private async pump(): Promise<Error | undefined> {
    try {
      for await (const message of this.messages) {
        if (this.stopped) break;
        const commit = this.decode(message);
        if (commit) {
          this.buffer.push(commit);
          this.wake('reader');
        }
        while (this.buffer.length >= this.maxBuffered && !this.stopped) {
          await new Promise<void>((resolve) => (this.pumpWaiter = resolve));
        }
      }
    } catch (err) {
      this.endError = err instanceof Error ? err : new Error(String(err));
    } finally {
      this.ended = true;
      this.wake('reader');
    }
    return this.endError;
  }

  private decode(message: JsMsg): StoredCommit<E> | undefined {
    const stored = { seq: message.seq, subject: message.subject, time: message.timestamp, data: message.data };
    try {
      const commit = decodeCommit<E>(stored, this.topology.taskIdOf(message.subject));
      const jobsLeft = message.headers ? parseJobsLeft(message.headers.get(Headers.jobsLeft)) : undefined;
      const trace = traceCarrierOf(message.headers);
      return { ...commit, ...(jobsLeft ? { jobsLeft } : {}), ...(trace ? { trace } : {}) };
    } catch (err) {
      if (!hasErrorCode(err, 'MALFORMED_COMMIT')) throw err;
      this.onMalformed(err as MalformedCommit);
      return undefined;
    }
  }

  private wake(who: 'reader' | 'pump'): void {
    const waiters = who === 'reader' ? this.readers.splice(0) : [this.pumpWaiter];
    if (who === 'pump') this.pumpWaiter = undefined;
    for (const wake of waiters) wake?.();
  }
}
