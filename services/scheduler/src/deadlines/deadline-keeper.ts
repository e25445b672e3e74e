// Sends each deadline's command when it is due. The timers are JetStream's: a deadline not yet due
// is nak'd with the time left as its delay (at most MAX_WAIT_MS, so a clock change or a long wait
// is looked at again), and comes back when due; a due one is sent and acked, which removes it from
// the work queue. So a replica holds no timer of its own, a restart rebuilds nothing, and 100k
// scheduled Tasks cost the scheduler no memory: the consumer keeps them pending (max_ack_pending is
// unlimited). Replicas share the durable consumer, so each deadline goes to one at a time; a
// repeat (a crash before the ack) is absorbed by the domain, which decides [] for an applied one.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { Topology } from '@vle/contracts';
import { DurableConsumer, publishDeadLetter, Settle, type Logger, type Settlement } from '@vle/messaging';
import { DeadlineRefused, type DeadlineCommands } from './deadline-commands.js';
import { deadlineMessageId, parseDeadline, type Deadline } from './deadline.js';

/** Longest single wait: a deadline a year away is looked at again every hour (about nothing each). */
export const MAX_WAIT_MS = 3_600_000;
/** task-api's clock is a little behind ours: ask again soon. */
const NOT_DUE_RETRY_MS = 250;
/**
 * Deliveries after which a deadline still waiting (far away, or task-api down for long) is published
 * afresh and the old message acked, so that its delivery count starts again: the consumer's
 * max_deliver (DEADLINE_MAX_DELIVER) then never ends a deadline that merely waits.
 */
export const REARM_AFTER_DELIVERIES = 50;

export interface DeadlineKeeperOptions {
  readonly js: JetStreamClient;
  readonly topology: Topology;
  readonly commands: DeadlineCommands;
  readonly logger: Logger;
  /** Wait before sending again a deadline task-api could not take (down, NATS trouble). */
  readonly retryDelayMs: number;
  readonly now?: () => number;
  /** Default MAX_WAIT_MS and REARM_AFTER_DELIVERIES (tests make them small). */
  readonly maxWaitMs?: number;
  readonly rearmAfterDeliveries?: number;
}

export class DeadlineKeeper {
  private readonly consumer: DurableConsumer;

  constructor(private readonly options: DeadlineKeeperOptions) {
    const { js, topology, logger } = options;
    this.consumer = new DurableConsumer({
      js,
      stream: topology.deadlineStream.name,
      durable: topology.deadlineConsumer.durable_name!,
      name: 'deadline keeper',
      concurrency: 256,
      logger,
      handle: (message) => this.handle(message),
    });
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private async handle(message: JsMsg): Promise<Settlement> {
    const { js, topology, commands, logger, retryDelayMs, now = Date.now } = this.options;
    const deadline = parseDeadline(message.data);
    if (typeof deadline === 'string') {
      await publishDeadLetter(js, { source: 'deadlines', deadLetterSubject: topology.deadLetterSubject('deadlines'), code: 'MALFORMED_DEADLINE', reason: deadline, message });
      logger.error(`deadline ${message.subject}#${message.seq} is malformed (${deadline}); dead-lettered`);
      return Settle.ack;
    }
    const left = Date.parse(deadline.dueAt) - now();
    if (left > 0) return this.wait(message, deadline, Math.min(left, this.options.maxWaitMs ?? MAX_WAIT_MS));
    const what = `deadline ${deadline.command} of Task ${deadline.taskId} (due ${deadline.dueAt})`;
    try {
      const reply = await commands.send(deadline);
      if (reply.events.length > 0) logger.log(`${what}: ${reply.events.join(', ')}; the Task is ${reply.status}`);
      return Settle.ack;
    } catch (error) {
      if (error instanceof DeadlineRefused) {
        if (error.code === 'DEADLINE_NOT_DUE') return Settle.nak(NOT_DUE_RETRY_MS);
        logger.warn(`${what}: refused (${error.message}); given up`);
        return Settle.ack;
      }
      logger.warn(`${what}: not sent (${error instanceof Error ? error.message : String(error)}); trying again in ${retryDelayMs} ms`);
      return this.wait(message, deadline, retryDelayMs);
    }
  }

  /** Looks at the deadline again in `ms`: a nak, or after many waits a fresh copy (see REARM_AFTER_DELIVERIES). */
  private async wait(message: JsMsg, deadline: Deadline, ms: number): Promise<Settlement> {
    if (message.info.deliveryCount < (this.options.rearmAfterDeliveries ?? REARM_AFTER_DELIVERIES)) return Settle.nak(ms);
    const { js, topology } = this.options;
    // The id names the copy it replaces: a crash between this publish and the ack makes no third.
    await js.publish(topology.deadlineSubject(deadline.taskId), JSON.stringify(deadline), { msgID: `${deadlineMessageId(deadline)}:${message.seq}` });
    return Settle.ack;
  }
}
