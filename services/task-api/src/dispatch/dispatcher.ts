// The dispatcher publishes from the log (DESIGN §5): every job it publishes is triggered by a
// SubTaskQueued fact already in TASK_EVENTS, with Nats-Msg-Id `<subTaskId>:<generation>`. It acks a
// commit only after its jobs are stored, so a crash anywhere is repaired by redelivery, and the
// duplicate window (or, later, the attempt fence of the domain) absorbs the repeat.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, jobMessageId, type JobJson, type Topology } from '@vle/contracts';
import { type PlannedSubTask, type SubTaskQueued, type TaskEvent } from '@vle/domain';
import { decodeCommit, hasErrorCode, type AggregateStore } from '@vle/event-store';
import { DurableConsumer, Settle, type Logger, type Settlement } from '@vle/messaging';
import { DefinitionCache } from './definition-cache.js';

export interface DispatcherOptions {
  readonly js: JetStreamClient;
  readonly store: AggregateStore<TaskEvent>;
  readonly topology: Topology;
  readonly logger: Logger;
  /** Commits handled at once. */
  readonly concurrency?: number;
}

export class Dispatcher {
  private readonly definitions = new DefinitionCache(20_000);
  private readonly consumer: DurableConsumer;

  constructor(private readonly options: DispatcherOptions) {
    const { js, topology, logger } = options;
    this.consumer = new DurableConsumer({
      js,
      stream: topology.eventStream.name,
      durable: topology.dispatcherConsumer.durable_name!,
      name: 'dispatcher',
      concurrency: options.concurrency ?? 256,
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
    // Most commits hold no SubTaskQueued: the header says so without parsing the body.
    const types = message.headers?.get(Headers.eventType) ?? '';
    if (types && !types.includes('SubTaskQueued') && !types.includes('TaskCreated')) return Settle.ack;
    const taskId = topology.taskIdOf(message.subject);
    try {
      const commit = decodeCommit<TaskEvent>({ seq: message.seq, subject: message.subject, time: message.time.toISOString(), data: message.data }, taskId);
      for (const event of commit.events) if (event.type === 'TaskCreated') this.definitions.remember(taskId, event.data.subtasks);
      const queued = commit.events.filter((e): e is SubTaskQueued => e.type === 'SubTaskQueued');
      await Promise.all(queued.map((event) => this.publish(taskId, event)));
      return Settle.ack;
    } catch (error) {
      if (hasErrorCode(error, 'MALFORMED_COMMIT')) {
        logger.error(`dispatcher: skipping malformed commit ${message.seq} on ${message.subject}: ${String(error)}`);
        return Settle.term;
      }
      logger.warn(`dispatcher: commit ${message.seq} of Task ${taskId} not dispatched yet (${String(error)}); it is delivered again`);
      return Settle.nak(1000);
    }
  }

  private async publish(taskId: string, event: SubTaskQueued): Promise<void> {
    const subTask = await this.definitionOf(taskId, event.data.subTaskId);
    const job: JobJson = {
      taskId,
      subTaskId: subTask.id,
      generation: event.data.generation,
      queue: subTask.queue,
      action: subTask.action,
      objectType: subTask.objectType,
      objectId: subTask.objectId,
      params: subTask.params,
      timeoutSeconds: subTask.timeoutSeconds,
    };
    const h = natsHeaders();
    h.set(Headers.eventType, 'Job');
    await this.options.js.publish(this.options.topology.jobSubject(subTask.queue), JSON.stringify(job), {
      msgID: jobMessageId(subTask.id, event.data.generation),
      headers: h,
    });
  }

  /** SubTask definitions never change after TaskCreated: cached per Task, loaded on a miss. */
  private async definitionOf(taskId: string, subTaskId: string): Promise<PlannedSubTask> {
    const cached = this.definitions.find(taskId, subTaskId);
    if (cached) return cached;
    const { commits } = await this.options.store.load(taskId);
    const created = commits.flatMap((c) => c.events).find((e) => e.type === 'TaskCreated');
    if (!created || created.type !== 'TaskCreated') throw new Error(`Task ${taskId} has no TaskCreated event`);
    this.definitions.remember(taskId, created.data.subtasks);
    const found = this.definitions.find(taskId, subTaskId);
    if (!found) throw new Error(`Task ${taskId} has no SubTask ${subTaskId}`);
    return found;
  }
}

