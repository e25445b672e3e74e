// What a durable consumer gives up on ends in a dead letter with its reason, never silently in its
// stream (issue 8). The server tells us through two core-NATS advisories of the consumer:
//  - MAX_DELIVERIES: delivered max_deliver times without an ack. The message stays in its stream
//    (a work queue keeps it forever): it is looked up by its stream sequence, dead-lettered, and
//    removed from a work queue;
//  - MSG_TERMINATED: `term`ed by its handler. On a work queue nats-server 2.9 removes it at once and
//    the handler dead-lettered it before (the intake does); on a limits stream it is still there and
//    is dead-lettered here. The dead letter's dedup id (`<source>:<seq>`) makes a second one a no-op.
// An advisory is core NATS: if no process listens when it fires, it is lost. So a work queue is also
// swept (at start and then periodically) for messages the consumer has delivered that stay stored for longer than one could be in flight: those exhausted their deliveries while no
// one listened. The stored time cannot tell (a backlog is delivered long after it was stored), so a
// message counts from the first sweep that saw it: the sweep finds one strandedAfterMs after boot.

import type { JetStreamClient, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { maxDeliveriesAdvisorySubject, parseDeliveryAdvisory, terminatedAdvisorySubject } from '@vle/contracts';
import { publishDeadLetter } from './dead-letter.js';
import type { Logger } from './task-commands.js';

export type ExhaustionKind = 'MAX_DELIVERIES' | 'TERMINATED';

export interface ExhaustedDelivery {
  readonly kind: ExhaustionKind;
  readonly stream: string;
  readonly consumer: string;
  readonly streamSeq: number;
  /** Deliveries the server counted; for a swept message, at least the consumer's max_deliver. */
  readonly deliveries: number;
  /** The stored message, when it is still in its stream. */
  readonly message?: StoredMsg;
  /** True when found by the sweep rather than told by an advisory. */
  readonly swept: boolean;
}

export interface ExhaustedDeliveriesOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  readonly consumer: string;
  /** Dead letters: the source named in them and their subject (`dlq.<source>`). */
  readonly source: string;
  readonly deadLetterSubject: string;
  /** A work-queue stream: exhausted messages are removed once dead-lettered, and the stream is swept. */
  readonly workQueue: boolean;
  /**
   * A delivered message still stored after this long cannot be in flight any more (the consumer's
   * max_deliver times its longest redelivery delay plus ack_wait): the sweep takes it as exhausted.
   */
  readonly strandedAfterMs: number;
  /** Default 60 s. */
  readonly sweepIntervalMs?: number;
  /**
   * Called first for every exhausted delivery, e.g. to record a job's SubTask as failed
   * (WORKER_LOST). A throw is logged and the message left where it is (a work queue's sweep finds it
   * again), so that what the hook records is not lost with it.
   */
  readonly onExhausted?: (delivery: ExhaustedDelivery) => Promise<void>;
  readonly logger: Logger;
  /** Injected for tests. */
  readonly now?: () => number;
}

/** Sequences looked at by one sweep: enough for a backlog, bounded so that a sweep stays short. */
const SWEEP_BATCH = 1000;

export class ExhaustedDeliveries {
  private subscriptions: Subscription[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  /** Delivered messages still stored, by stream sequence: when a sweep first saw them. */
  private readonly seen = new Map<number, number>();

  constructor(private readonly options: ExhaustedDeliveriesOptions) {}

  start(): void {
    if (this.subscriptions.length > 0) return;
    const { nc, stream, consumer } = this.options;
    // A queue group: of several replicas, one handles each advisory.
    const queue = `exhausted-${consumer}`;
    this.listen(nc.subscribe(maxDeliveriesAdvisorySubject(stream, consumer), { queue }), 'MAX_DELIVERIES');
    this.listen(nc.subscribe(terminatedAdvisorySubject(stream, consumer), { queue }), 'TERMINATED');
    if (this.options.workQueue) {
      this.timer = setInterval(() => void this.sweep(), this.options.sweepIntervalMs ?? 60_000);
      this.timer.unref();
      void this.sweep();
    }
  }

  async stop(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    this.subscriptions = [];
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.allSettled(this.inFlight);
  }

  /** One pass over the delivered messages still stored (work queues only); resolves when done. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepNow()
      .catch((error: unknown) => this.options.logger.warn(`${this.name}: sweep failed (${String(error)}); next sweep later`))
      .finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private get name(): string {
    return `exhausted deliveries of ${this.options.stream}/${this.options.consumer}`;
  }

  private listen(sub: Subscription, kind: ExhaustionKind): void {
    this.subscriptions.push(sub);
    void (async () => {
      for await (const msg of sub) {
        const advisory = parseDeliveryAdvisory(msg.data);
        if (!advisory) {
          this.options.logger.warn(`${this.name}: advisory on ${msg.subject} not understood; ignored`);
          continue;
        }
        const work = this.settle(kind, advisory.stream_seq, advisory.deliveries, false).finally(() => this.inFlight.delete(work));
        this.inFlight.add(work);
      }
    })();
  }

  private async sweepNow(): Promise<void> {
    const { jsm, stream, consumer, strandedAfterMs } = this.options;
    const info = await jsm.consumers.info(stream, consumer);
    // Not from the ack floor: it moves past an exhausted message once a later one is acked. In a work
    // queue, whatever is still stored up to the last delivered sequence is in flight or stranded.
    const { first_seq, messages } = (await jsm.streams.info(stream)).state;
    // An empty stream (a fresh system) says first_seq 0, which no message has.
    if (messages === 0) {
      this.seen.clear();
      return;
    }
    const first = Math.max(first_seq, 1);
    const last = Math.min(info.delivered.stream_seq, first + SWEEP_BATCH - 1);
    const now = (this.options.now ?? Date.now)();
    const stored = new Set<number>();
    for (let seq = first; seq <= last; seq++) {
      const message = await jsm.streams.getMessage(stream, { seq });
      if (!message) continue;
      stored.add(seq);
      const since = this.seen.get(seq);
      if (since === undefined) this.seen.set(seq, now);
      else if (now - since >= strandedAfterMs) await this.settle('MAX_DELIVERIES', seq, info.config.max_deliver ?? 0, true, message);
    }
    for (const seq of this.seen.keys()) if (!stored.has(seq)) this.seen.delete(seq);
  }

  private async settle(kind: ExhaustionKind, streamSeq: number, deliveries: number, swept: boolean, found?: StoredMsg): Promise<void> {
    const { js, jsm, stream, consumer, source, deadLetterSubject, workQueue, logger } = this.options;
    try {
      const message = found ?? (await jsm.streams.getMessage(stream, { seq: streamSeq })) ?? undefined;
      const delivery: ExhaustedDelivery = { kind, stream, consumer, streamSeq, deliveries, message, swept };
      try {
        await this.options.onExhausted?.(delivery);
      } catch (error) {
        // What the hook records (a job's WORKER_LOST) must not be lost with the message: it stays
        // (a work queue is swept again; an advisory of a limits stream is logged for an admin).
        logger.error(`${this.name}: hook failed for #${streamSeq} (${String(error)}); ${workQueue ? 'the sweep tries again' : 'not dead-lettered'}`);
        return;
      }
      // Gone: acked after all, or terminated on a work queue by a handler that dead-lettered it.
      if (!message) return;
      const reason = reasonOf(delivery);
      await publishDeadLetter(js, { source, deadLetterSubject, code: kind, reason, message });
      logger.warn(`${this.name}: ${message.subject}#${streamSeq} dead-lettered (${kind}: ${reason})`);
      if (workQueue) await jsm.streams.deleteMessage(stream, streamSeq).catch(() => false);
    } catch (error) {
      logger.error(`${this.name}: could not dead-letter #${streamSeq} (${String(error)}); the sweep tries again`);
    }
  }
}

function reasonOf(delivery: ExhaustedDelivery): string {
  if (delivery.kind === 'TERMINATED') return `terminated by consumer ${delivery.consumer} after ${delivery.deliveries} deliveries`;
  const how = delivery.swept ? 'found by the sweep: its advisory fired while no listener ran' : `told by the MAX_DELIVERIES advisory`;
  return `consumer ${delivery.consumer} gave up after ${delivery.deliveries} deliveries without an ack (max_deliver; ${how})`;
}
