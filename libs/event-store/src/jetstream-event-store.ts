// The Task event log on TASK_EVENTS (DESIGN §3, §5): one subject per Task, one message per commit,
// optimistic concurrency through the expected last subject sequence.

import { DeliverPolicy, JetStreamApiError, jetstream, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { headers, InvalidArgumentError, type NatsConnection } from '@nats-io/transport-node';
import { Headers, type Topology } from '@vle/contracts';
import { carrierOfContext, traceCarrierOf, type TraceCarrier } from '@vle/tracing';
import { decodeCommit, encodeCommit, eventTypesHeader, validateCommit, type EventLike, type StoredCommit } from './commit-codec.js';
import { DEFAULT_MAX_BUFFERED, OrderedCommitSubscription } from './commit-subscription.js';
import { CommitTooLarge, LoadTimeout, StreamUnavailable, WrongExpectedSequence } from './errors.js';
import type { CommitSubscription, EventStore, LoadedStream, SubscribeOptions } from './event-store.js';

const ApiCode = { WrongLastSequence: 10071, MessageTooLarge: 10054 } as const;

/** Room for the NATS/1.0 line and the Nats-Expected-Last-Subject-Sequence header. */
const HEADER_OVERHEAD_BYTES = 96;

export interface JetStreamEventStoreOptions<E extends EventLike = EventLike> {
  /** Upper bound of one `load`; a stall (the subject purged mid-read) fails instead of hanging. Default 10 s. */
  readonly loadTimeoutMs?: number;
  /**
   * The type of the event that opens every aggregate's stream (TaskCreated). A last commit that holds
   * it is the whole history, so loading a new Task costs one request.
   */
  readonly firstEventType?: string;
  /**
   * The queues whose jobs this process will not publish for a commit of `events` (its NATS user may
   * not), carried in the commit's Headers.jobsLeft for the projection to publish at once.
   */
  readonly jobsLeftOf?: (events: readonly E[]) => readonly string[];
}

/** Direct gets tried before a load switches to an ordered consumer. */
const DIRECT_GET_LIMIT = 8;

export class JetStreamEventStore<E extends EventLike> implements EventStore<E> {
  private readonly stream: string;
  private readonly maxCommitBytes: number;
  private readonly loadTimeoutMs: number;
  private readonly firstEventType: string | undefined;
  private readonly jobsLeftOf: JetStreamEventStoreOptions<E>['jobsLeftOf'];

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
    options: JetStreamEventStoreOptions<E> = {},
  ) {
    this.stream = topology.eventStream.name;
    this.maxCommitBytes = topology.eventStream.max_msg_size ?? Number.POSITIVE_INFINITY;
    this.loadTimeoutMs = options.loadTimeoutMs ?? 10_000;
    this.firstEventType = options.firstEventType;
    this.jobsLeftOf = options.jobsLeftOf;
  }

  static async connect<E extends EventLike>(nc: NatsConnection, topology: Topology, options?: JetStreamEventStoreOptions<E>): Promise<JetStreamEventStore<E>> {
    const js = jetstream(nc);
    return new JetStreamEventStore<E>(js, await js.jetstreamManager(), topology, options);
  }

  async append(taskId: string, events: readonly E[], expectedSeq: number): Promise<{ seq: number }> {
    validateCommit(taskId, events);
    const body = encodeCommit(events);
    const types = eventTypesHeader(events);
    const left = this.jobsLeftOf?.(events).join(',') ?? '';
    // The trace context of the active span (the command's append): the jobs this commit queues, and
    // a command on the Task a day later, find the trace of the command that wrote it.
    const trace = Object.entries(carrierOfContext() ?? {});
    const traceBytes = trace.reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
    const bytes = body.byteLength + Headers.eventType.length + types.length + (left ? Headers.jobsLeft.length + left.length + 4 : 0) + traceBytes + HEADER_OVERHEAD_BYTES;
    if (bytes > this.maxCommitBytes) throw new CommitTooLarge(taskId, bytes, this.maxCommitBytes);
    const hdrs = headers();
    hdrs.set(Headers.eventType, types);
    if (left) hdrs.set(Headers.jobsLeft, left);
    for (const [name, value] of trace) hdrs.set(name, value);
    try {
      const ack = await this.js.publish(this.topology.eventSubject(taskId), body, { headers: hdrs, expect: { lastSubjectSequence: expectedSeq } });
      return { seq: ack.seq };
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === ApiCode.WrongLastSequence) {
        throw new WrongExpectedSequence(taskId, expectedSeq, actualSequenceOf(err), err);
      }
      const tooLarge =
        (err instanceof JetStreamApiError && err.code === ApiCode.MessageTooLarge) || (err instanceof InvalidArgumentError && err.message.includes('max_payload'));
      if (tooLarge) throw new CommitTooLarge(taskId, bytes, this.maxCommitBytes, err);
      // nats.js's name for "no responders": nothing stores the subject.
      if (err instanceof Error && err.name === 'JetStreamNotEnabled') throw new StreamUnavailable(this.stream, this.topology.eventSubject(taskId), err);
      throw err;
    }
  }

  get streamName(): string {
    return this.stream;
  }

  async firstCommitTrace(taskId: string): Promise<TraceCarrier | undefined> {
    const first = await this.jsm.direct.getMessage(this.stream, { next_by_subj: this.topology.eventSubject(taskId), seq: 1 });
    return traceCarrierOf(first?.header);
  }

  async lastSequence(taskId: string): Promise<number> {
    const last = await this.jsm.direct.getMessage(this.stream, { last_by_subj: this.topology.eventSubject(taskId) });
    return last?.seq ?? 0;
  }

  async load(taskId: string, options: { readonly afterSeq?: number } = {}): Promise<LoadedStream<E>> {
    const subject = this.topology.eventSubject(taskId);
    const afterSeq = options.afterSeq ?? 0;
    // One request tells an absent Task and bounds the read below (a direct get: no JetStream API call).
    const last = await this.jsm.direct.getMessage(this.stream, { last_by_subj: subject });
    if (!last) return { commits: [], lastSeq: 0 };
    const lastSeq = last.seq;
    if (lastSeq <= afterSeq) return { commits: [], lastSeq };
    const lastCommit = decodeCommit<E>({ seq: last.seq, subject: last.subject, time: last.time.toISOString(), data: last.data }, taskId);
    // A Task with one commit (a worker's first look at a Task another process created): done.
    if (afterSeq === 0 && this.firstEventType !== undefined && lastCommit.events[0]?.type === this.firstEventType) return { commits: [lastCommit], lastSeq };
    // Short histories (most loads: a worker's first look at a Task, a cache catching up after a
    // conflict) are read with a few direct gets; a temporary consumer costs five API calls, so it
    // only pays off for longer ones.
    const commits: StoredCommit<E>[] = [];
    let next = afterSeq + 1;
    for (let gets = 0; gets < DIRECT_GET_LIMIT; gets++) {
      if (next === lastSeq) {
        commits.push(lastCommit);
        return { commits, lastSeq };
      }
      const m = await this.jsm.direct.getMessage(this.stream, { next_by_subj: subject, seq: next });
      if (!m || m.seq > lastSeq) return { commits, lastSeq: commits.at(-1)?.seq ?? afterSeq };
      commits.push(m.seq === lastSeq ? lastCommit : decodeCommit<E>({ seq: m.seq, subject: m.subject, time: m.time.toISOString(), data: m.data }, taskId));
      if (m.seq === lastSeq) return { commits, lastSeq };
      next = m.seq + 1;
    }
    return this.loadRest(taskId, subject, lastSeq, commits, next);
  }

  /** Reads the commits from `startSeq` up to `lastSeq` (after those `read`) through an ordered consumer. */
  private async loadRest(taskId: string, subject: string, lastSeq: number, read: StoredCommit<E>[], startSeq: number): Promise<LoadedStream<E>> {
    // A string filter: an array is sent as filter_subjects, which needs nats-server 2.10.
    const consumer = await this.js.consumers.get(this.stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq, inactive_threshold: 30_000 });
    try {
      const pending = (await consumer.info(true)).num_pending;
      if (pending === 0) return { commits: read, lastSeq: read.at(-1)?.seq ?? startSeq - 1 };
      const commits: StoredCommit<E>[] = read;
      const messages = await consumer.consume({ max_messages: Math.min(pending, 512) });
      const timer = setTimeout(() => messages.stop(new LoadTimeout(taskId, this.loadTimeoutMs)), this.loadTimeoutMs);
      try {
        for await (const m of messages) {
          commits.push(decodeCommit<E>({ seq: m.seq, subject: m.subject, time: m.timestamp, data: m.data }, taskId));
          // Commits appended after the `last_by_subj` read belong to the next load.
          if (m.seq >= lastSeq || m.info.pending === 0) break;
        }
      } finally {
        clearTimeout(timer);
        await messages.close();
      }
      return { commits, lastSeq: commits.at(-1)?.seq ?? startSeq - 1 };
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  async subscribe(fromSeq: number, options: SubscribeOptions = {}): Promise<CommitSubscription<E>> {
    const maxBuffered = Math.max(1, options.maxBuffered ?? DEFAULT_MAX_BUFFERED);
    const consumer = await this.js.consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, fromSeq) });
    const messages = await consumer.consume({ max_messages: maxBuffered });
    const onMalformed = options.onMalformed ?? ((error) => process.emitWarning(error.message, { code: error.code }));
    return new OrderedCommitSubscription<E>(consumer, messages, this.topology, maxBuffered, onMalformed);
  }
}

/** The server says `wrong last sequence: <n>`. */
function actualSequenceOf(err: JetStreamApiError): number | undefined {
  const match = /wrong last sequence: (\d+)/.exec(err.apiError().description ?? err.message);
  return match ? Number(match[1]) : undefined;
}
