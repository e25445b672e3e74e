// The dispatcher publishes from the log (DESIGN §5): every job it publishes is triggered by a
// SubTaskQueued fact already in TASK_EVENTS, with Nats-Msg-Id `<subTaskId>:<generation>`. It acks a
// commit only after its jobs are stored, so a crash anywhere is repaired by redelivery, and the
// duplicate window (or, later, the attempt fence of the domain) absorbs the repeat.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, jobMessageId, type JobJson, type Topology } from '@vle/contracts';
import { type PlannedSubTask, type SubTaskQueued, type TaskEvent } from '@vle/domain';
import { decodeCommit, hasErrorCode, type AggregateStore } from '@vle/event-store';
import type { Logger } from '@vle/messaging';
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
  private running = false;
  private loop?: Promise<void>;
  private messages?: { close(): Promise<void | Error> };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.consume();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.messages?.close();
    await Promise.allSettled(this.inFlight);
    await this.loop;
  }

  private async consume(): Promise<void> {
    const { js, topology, logger } = this.options;
    const limit = this.options.concurrency ?? 256;
    while (this.running) {
      try {
        const consumer = await js.consumers.get(topology.eventStream.name, topology.dispatcherConsumer.durable_name!);
        const messages = await consumer.consume({ max_messages: limit });
        this.messages = messages;
        for await (const message of messages) {
          while (this.inFlight.size >= limit) await Promise.race(this.inFlight);
          const work = this.handle(message).finally(() => this.inFlight.delete(work));
          this.inFlight.add(work);
        }
      } catch (error) {
        if (!this.running) break;
        logger.error(`dispatcher: consumer failed (${String(error)}); retrying in 1 s`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async handle(message: JsMsg): Promise<void> {
    const { topology, logger } = this.options;
    // Most commits hold no SubTaskQueued: the header says so without parsing the body.
    const types = message.headers?.get(Headers.eventType) ?? '';
    if (types && !types.includes('SubTaskQueued') && !types.includes('TaskCreated')) return message.ack();
    const taskId = topology.taskIdOf(message.subject);
    try {
      const commit = decodeCommit<TaskEvent>({ seq: message.seq, subject: message.subject, time: message.info.timestampNanos ? new Date(message.info.timestampNanos / 1e6).toISOString() : '', data: message.data }, taskId);
      for (const event of commit.events) if (event.type === 'TaskCreated') this.definitions.remember(taskId, event.data.subtasks);
      const queued = commit.events.filter((e): e is SubTaskQueued => e.type === 'SubTaskQueued');
      await Promise.all(queued.map((event) => this.publish(taskId, event)));
      message.ack();
    } catch (error) {
      if (hasErrorCode(error, 'MALFORMED_COMMIT')) {
        logger.error(`dispatcher: skipping malformed commit ${message.seq} on ${message.subject}: ${String(error)}`);
        return message.term();
      }
      logger.warn(`dispatcher: commit ${message.seq} of Task ${taskId} not dispatched yet (${String(error)}); it is delivered again`);
      message.nak(1000);
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

