// Records the deadlines of Tasks from the event log: a durable consumer of TASK_EVENTS shared by
// the scheduler replicas (each commit goes to one of them) publishes each deadline of a created or
// started Task to TASK_DEADLINES, and acks the commit only after they are stored. A crash between
// the two is repaired by redelivery; the message id absorbs the repeat. Few commits bring deadlines, so
// it lags on purpose: every GATHER_MS it pulls what the log gathered meanwhile as one burst
// (DurableConsumer's gatherMs), not one delivery and wakeup per commit; a deadline is then met at
// most GATHER_MS late.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Headers, type Topology } from '@vle/contracts';
import { evolve, exists, initialState, type TaskEvent, type TaskState } from '@vle/domain';
import { decodeCommit, hasErrorCode, type AggregateStore } from '@vle/event-store';
import { DurableConsumer, Settle, type Logger, type Settlement } from '@vle/messaging';
import { deadlineMessageId, deadlinesOf, type Deadline } from './deadline.js';

export interface DeadlineRecorderOptions {
  readonly js: JetStreamClient;
  readonly store: AggregateStore<TaskEvent>;
  readonly topology: Topology;
  readonly logger: Logger;
}

/** How long the recorder lets commits gather between its pulls (how late a deadline may be recorded). */
const GATHER_MS = 200;

export class DeadlineRecorder {
  private readonly consumer: DurableConsumer;

  constructor(private readonly options: DeadlineRecorderOptions) {
    const { js, topology, logger } = options;
    this.consumer = new DurableConsumer({
      js,
      stream: topology.eventStream.name,
      durable: topology.deadlineRecorderConsumer.durable_name!,
      name: 'deadline recorder',
      concurrency: 64,
      gatherMs: GATHER_MS,
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
    const { topology, logger } = this.options;
    // Only a creation or a delayed start brings deadlines: the header says so without parsing.
    const types = message.headers?.get(Headers.eventType) ?? '';
    if (types && !types.includes('TaskCreated') && !types.includes('TaskStarted')) return Settle.ack;
    const taskId = topology.taskIdOf(message.subject);
    try {
      const commit = decodeCommit<TaskEvent>({ seq: message.seq, subject: message.subject, time: message.time.toISOString(), data: message.data }, taskId);
      const deadlines: Deadline[] = [];
      for (const event of commit.events) {
        if (event.type === 'TaskCreated') deadlines.push(...this.ofState(evolve(initialState, event), 'created'));
        if (event.type === 'TaskStarted') deadlines.push(...this.ofState(await this.taskAt(taskId, message.seq), 'started'));
      }
      await Promise.all(deadlines.map((deadline) => this.record(deadline)));
      return Settle.ack;
    } catch (error) {
      if (hasErrorCode(error, 'MALFORMED_COMMIT')) {
        logger.error(`deadline recorder: skipping malformed commit ${message.seq} on ${message.subject}: ${String(error)}`);
        return Settle.term;
      }
      logger.warn(`deadline recorder: commit ${message.seq} of Task ${taskId} not recorded yet (${String(error)}); it is delivered again`);
      return Settle.nak(1000);
    }
  }

  private ofState(state: TaskState, moment: 'created' | 'started'): Deadline[] {
    return exists(state) ? deadlinesOf(state, moment) : [];
  }

  /** The Task as of the commit `seq` (a delayed start needs its definition: timeoutSeconds). */
  private async taskAt(taskId: string, seq: number): Promise<TaskState> {
    const { commits } = await this.options.store.load(taskId);
    return commits.filter((c) => c.seq <= seq).flatMap((c) => c.events).reduce(evolve, initialState);
  }

  private async record(deadline: Deadline): Promise<void> {
    await this.options.js.publish(this.options.topology.deadlineSubject(deadline.taskId), JSON.stringify(deadline), { msgID: deadlineMessageId(deadline) });
  }
}
