import type { TraceCarrier } from '@vle/tracing';
import type { EventLike, StoredCommit } from './commit-codec.js';
import type { MalformedCommit } from './errors.js';

export interface LoadedStream<E> {
  readonly commits: StoredCommit<E>[];
  /** Sequence of the last commit of the Task; 0 when it has none. */
  readonly lastSeq: number;
}

/** What the command handler needs: one Task's stream, read and appended with a sequence fence. */
export interface AggregateStore<E extends EventLike> {
  /**
   * Appends all `events` as one commit if the Task's last sequence is still `expectedSeq`
   * (0: the Task has no commit yet). Throws WrongExpectedSequence otherwise.
   */
  append(taskId: string, events: readonly E[], expectedSeq: number): Promise<{ seq: number }>;
  /**
   * Every commit of the Task, or only those after stream sequence `afterSeq` (a cached state catching
   * up). Throws MalformedCommit (with its seq) rather than fold a damaged log.
   */
  load(taskId: string, options?: { readonly afterSeq?: number }): Promise<LoadedStream<E>>;
  /** The Task's last sequence (0 when it has none), without reading its events. */
  lastSequence(taskId: string): Promise<number>;
  /** The stream the commits are appended to (the name of the append spans). */
  readonly streamName: string;
  /**
   * The trace context stored with the Task's first commit: the trace of the command that created
   * it, which a later command on the Task links to. Undefined for a Task without one (written
   * untraced) or without commits.
   */
  firstCommitTrace(taskId: string): Promise<TraceCarrier | undefined>;
}

export interface SubscribeOptions {
  /** Commits read ahead of the caller; also the largest batch `nextBatch` returns. Default 256. */
  readonly maxBuffered?: number;
  /**
   * Called for a message that is not a commit, which is then skipped: a projection must keep
   * moving, and a replay skips the same message, so read models still converge. Called in stream
   * order: after every earlier commit is buffered, before any later one is. Default: a process warning.
   */
  readonly onMalformed?: (error: MalformedCommit) => void;
}

/**
 * All commits of the stream in sequence order, for projections. Iterating and
 * `nextBatch` read the same buffer; leaving a `for await` early does not stop it: call `stop()`.
 */
export interface CommitSubscription<E> extends AsyncIterable<StoredCommit<E>> {
  /**
   * Waits for at least one commit, then returns up to `max` of those already received without
   * waiting for more. Returns [] once the subscription is stopped.
   */
  nextBatch(max?: number): Promise<StoredCommit<E>[]>;
  /** Stops reading and deletes the server-side consumer; pending `nextBatch` calls return []. */
  stop(): Promise<void>;
  /** Resolves when the subscription has ended, with the error that ended it, if any. */
  readonly closed: Promise<Error | undefined>;
}

export interface EventStore<E extends EventLike> extends AggregateStore<E> {
  /** Every commit of every Task from stream sequence `fromSeq` (inclusive; 1 = the beginning). */
  subscribe(fromSeq: number, options?: SubscribeOptions): Promise<CommitSubscription<E>>;
}
