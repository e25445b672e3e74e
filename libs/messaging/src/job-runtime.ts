// Consumes the job queues of one worker process: for each queue a durable pull consumer (declared in
// libs/contracts) is fetched from with at most `concurrency` jobs in flight, so that no message waits
// in a client buffer while its ack_wait runs out.

import { setMaxListeners } from 'node:events';
import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { type QueueName, type QueuePolicy, type Topology } from '@vle/contracts';
import { probeConsumer } from '@vle/metrics';
import { publishDeadLetter } from './dead-letter.js';
import { handleDelivery, type DeliveryDeps } from './delivery.js';
import type { QueueHandlers } from './job-handler.js';
import type { Logger, TaskCommands } from './task-commands.js';

/** How long one fetch waits for jobs; also how long a stopping worker waits for its open fetches. */
const FETCH_EXPIRES_MS = 2_000;

export interface JobRuntimeOptions {
  readonly js: JetStreamClient;
  readonly topology: Topology;
  readonly commands: TaskCommands;
  readonly logger: Logger;
  /** The queues this process consumes, with their handlers by action. */
  readonly queues: ReadonlyArray<{ readonly policy: QueuePolicy; readonly handlers: QueueHandlers }>;
  readonly now?: () => Date;
  /** How long to wait for running attempts on stop before leaving them to redelivery. */
  readonly drainTimeoutMs?: number;
}

export class JobRuntime {
  private readonly shutdown = new AbortController();
  private readonly loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly fetchesDone = new Set<Promise<void>>();
  private running = false;

  constructor(private readonly options: JobRuntimeOptions) {
    // Every running attempt listens for shutdown: as many listeners as the queues' concurrency.
    setMaxListeners(0, this.shutdown.signal);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const queue of this.options.queues) this.loops.push(this.consume(queue.policy, queue.handlers));
  }

  get queueNames(): QueueName[] {
    return this.options.queues.map((q) => q.policy.queue);
  }

  /**
   * Stops fetching, waits for running attempts (bounded), and leaves the rest to redelivery. The
   * open fetches run out (FETCH_EXPIRES_MS) rather than being closed: a job the server is already
   * sending would be dropped by a closed fetch yet count as delivered, and wait out ack_wait before
   * another worker got it; one that arrives while stopping is handed back at once (nak).
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    await Promise.allSettled(this.fetchesDone);
    const drained = Promise.all(this.inFlight);
    const deadline = new Promise((resolve) => setTimeout(resolve, this.options.drainTimeoutMs ?? 10_000).unref());
    await Promise.race([drained, deadline]);
    this.shutdown.abort();
    await Promise.allSettled(this.loops);
  }

  private async consume(policy: QueuePolicy, handlers: QueueHandlers): Promise<void> {
    const { js, topology, logger } = this.options;
    const deps: DeliveryDeps = {
      policy,
      handlers,
      commands: this.options.commands,
      logger,
      now: this.options.now ?? (() => new Date()),
      shutdown: this.shutdown.signal,
      heartbeatMs: Math.floor(topology.jobAckWaitMs / 3),
      deadLetter: (message: JsMsg, code: string, reason: string) =>
        publishDeadLetter(js, { source: `jobs.${policy.queue}`, deadLetterSubject: topology.deadLetterSubject(`jobs.${policy.queue}`), code, reason, message }),
    };
    const durable = topology.jobConsumer(policy).durable_name!;
    const slots = new Slots(policy.concurrency);
    const stream = topology.jobStream.name;
    const unprobe = probeConsumer(stream, durable, async () => (await js.consumers.get(stream, durable)).info(true));
    try {
      await this.fetchLoop(policy, durable, slots, deps);
    } finally {
      unprobe();
    }
  }

  private async fetchLoop(policy: QueuePolicy, durable: string, slots: Slots, deps: DeliveryDeps): Promise<void> {
    const { js, topology, logger } = this.options;
    while (this.running) {
      try {
        const consumer = await js.consumers.get(topology.jobStream.name, durable);
        while (this.running) {
          await slots.free();
          if (!this.running) break;
          const batch = await consumer.fetch({ max_messages: slots.available, expires: FETCH_EXPIRES_MS });
          let fetched: () => void = () => {};
          const done = new Promise<void>((resolve) => (fetched = resolve));
          this.fetchesDone.add(done);
          try {
            for await (const message of batch) {
              if (!this.running) {
                message.nak();
                continue;
              }
              slots.take();
              const work = handleDelivery(message, deps)
                .catch((error: unknown) => logger.error(`job ${message.subject}#${message.seq} failed unexpectedly: ${String(error)}`))
                .finally(() => {
                  slots.release();
                  this.inFlight.delete(work);
                });
              this.inFlight.add(work);
            }
          } finally {
            this.fetchesDone.delete(done);
            fetched();
          }
        }
      } catch (error) {
        if (!this.running) break;
        logger.error(`queue ${policy.queue}: consumer failed (${String(error)}); retrying in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }
}

/** A counting semaphore whose waiters are woken when a slot frees. */
class Slots {
  private used = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly size: number) {}

  get available(): number {
    return this.size - this.used;
  }

  async free(): Promise<void> {
    while (this.used >= this.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  take(): void {
    this.used++;
  }

  release(): void {
    this.used--;
    this.waiters.shift()?.();
  }
}
