// Consumes a durable pull consumer with a bounded number of messages in flight, and settles each one
// as its handler decides (ack, nak with a delay, term). Used for the event log (the scheduler's deadline recorder) and the
// command intake; jobs have their own runtime (job-runtime.ts). These two files are the only places
// that settle messages: handlers return a decision instead.

import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { probeConsumer } from '@vle/metrics';
import type { Logger } from './task-commands.js';

export type Settlement = { readonly kind: 'ack' } | { readonly kind: 'nak'; readonly delayMs: number } | { readonly kind: 'term' };

export const Settle = {
  ack: { kind: 'ack' } as Settlement,
  term: { kind: 'term' } as Settlement,
  nak: (delayMs: number): Settlement => ({ kind: 'nak', delayMs }),
};

export interface DurableConsumerOptions {
  readonly js: JetStreamClient;
  readonly stream: string;
  readonly durable: string;
  /** For log lines: "deadline recorder", "command intake". */
  readonly name: string;
  readonly concurrency: number;
  readonly logger: Logger;
  /** Reads the message and decides; a throw is logged and the message delivered again after 1 s. */
  readonly handle: (message: JsMsg) => Promise<Settlement>;
  /**
   * Pull every `gatherMs` what is pending, all at once, instead of keeping a pull open that the server
   * answers message by message: for a consumer that may lag (the deadline recorder), the
   * messages of a busy moment then cost one burst, not one delivery and one wakeup each. 0 (default)
   * keeps a pull open.
   */
  readonly gatherMs?: number;
}

/**
 * How long one pull waits for messages. A stopping consumer lets its last pull run out instead of
 * unsubscribing from it: a message the server is already sending would otherwise be dropped by the
 * client yet counted as delivered, and wait out ack_wait before anyone else gets it (a graceful
 * restart would delay it by ack_wait). What arrives while stopping is handed back at once (nak).
 */
const PULL_EXPIRES_MS = 1_000;

export class DurableConsumer {
  private running = false;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  /** Ends a gathering pause (stop). */
  private wake: () => void = () => {};
  /** The last gathering found more pending than it could take: pull again without a pause. */
  private behind = false;

  constructor(private readonly options: DurableConsumerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { js, stream, durable } = this.options;
    const unprobe = probeConsumer(stream, durable, async () => (await js.consumers.get(stream, durable)).info(true));
    this.loop = this.consume().finally(unprobe);
  }

  /** Stops pulling (within one pull's expiry), hands back what still arrives, and waits for the running handlers. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  private async consume(): Promise<void> {
    const { js, stream, durable, concurrency, logger, name } = this.options;
    while (this.running) {
      try {
        const consumer = await js.consumers.get(stream, durable);
        while (this.running) {
          while (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          const wanted = this.options.gatherMs ? await this.gathered(consumer) : concurrency - this.inFlight.size;
          if (wanted === 0) continue;
          const batch = await consumer.fetch({ max_messages: wanted, expires: PULL_EXPIRES_MS });
          for await (const message of batch) {
            if (!this.running) {
              message.nak();
              continue;
            }
            const work = this.process(message).finally(() => this.inFlight.delete(work));
            this.inFlight.add(work);
          }
        }
      } catch (error) {
        if (!this.running) break;
        logger.error(`${name}: consumer failed (${String(error)}); retrying in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  /**
   * How many messages to pull after gatherMs (none while behind: more was pending than the last pull
   * took): those pending, so that the pull ends with the burst that answers it; 1 when only delivered
   * ones are unsettled (one due again after a nak, or held by another replica: the pull waits up to
   * its expiry for it); 0 when there is nothing.
   */
  private async gathered(consumer: Consumer): Promise<number> {
    if (!this.behind) await this.pause(this.options.gatherMs!);
    if (!this.running) return 0;
    const { num_pending: pending, num_ack_pending: unsettled } = await consumer.info();
    const free = this.options.concurrency - this.inFlight.size;
    this.behind = pending > free;
    if (pending > 0) return Math.min(pending, free);
    return unsettled > this.inFlight.size ? 1 : 0;
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async process(message: JsMsg): Promise<void> {
    let settlement: Settlement;
    try {
      settlement = await this.options.handle(message);
    } catch (error) {
      this.options.logger.error(`${this.options.name}: ${message.subject}#${message.seq} failed unexpectedly (${String(error)}); it is delivered again`);
      settlement = Settle.nak(1000);
    }
    if (settlement.kind === 'ack') message.ack();
    else if (settlement.kind === 'term') message.term();
    else message.nak(settlement.delayMs);
  }
}
