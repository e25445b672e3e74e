// The pieces every service that changes Tasks shares: the JetStream event store, the one command
// handler of the Task aggregate, and the provisioning of the topology at boot.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { queuePolicies, Topology, type QueueName } from '@vle/contracts';
import { taskDecider, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { CommandHandler, JetStreamEventStore, provisionTopology } from '@vle/event-store';
import { Logger, type Provider } from '@nestjs/common';
import { InlineDispatch } from '@vle/messaging';
import { NATS_CONNECTION } from '@vle/service-kit';

export type TaskCommandHandler = CommandHandler<TaskCommand, TaskEvent, TaskState>;

/** Injection token of the process's task command handler. */
export const TASK_COMMANDS = Symbol.for('vle.service-kit.TaskCommands');

/**
 * Creates or updates every stream and consumer (idempotent, safe when several services boot at
 * once). Every service runs it, so that whichever starts first finds the system ready; they must
 * agree on WORKER_MAX_RETRY, which shapes the job consumers.
 */
export async function provisionAll(nc: NatsConnection, topology: Topology, workerMaxRetry: number): Promise<void> {
  await provisionTopology(await jetstreamManager(nc), topology, Object.values(queuePolicies(workerMaxRetry)));
}

export interface TaskRuntimeOptions {
  /**
   * Whether the process publishes the jobs of the commits it appends (default true). Off only in
   * tests that need a commit whose jobs only the projection's job repair publishes.
   */
  readonly inlineDispatch?: boolean;
  /**
   * The queues whose jobs the process publishes (default all: task-api). A worker's NATS user may
   * publish on its own queues only; the jobs it queues elsewhere are named in the commit and the
   * projection publishes them.
   */
  readonly publishQueues?: readonly QueueName[];
}

export function taskRuntimeProviders(options: TaskRuntimeOptions = {}): Provider[] {
  const inlineDispatch = options.inlineDispatch ?? true;
  return [
    {
      provide: InlineDispatch,
      inject: [NATS_CONNECTION, Topology],
      useFactory: (nc: NatsConnection, topology: Topology) => new InlineDispatch(jetstream(nc), topology, new Logger('InlineDispatch'), options.publishQueues),
    },
    {
      provide: JetStreamEventStore,
      inject: [NATS_CONNECTION, Topology, InlineDispatch],
      useFactory: async (nc: NatsConnection, topology: Topology, inline: InlineDispatch) =>
        new JetStreamEventStore<TaskEvent>(jetstream(nc), await jetstreamManager(nc), topology, { firstEventType: 'TaskCreated', jobsLeftOf: (events) => inline.leftToOthers(events) }),
    },
    {
      provide: TASK_COMMANDS,
      inject: [JetStreamEventStore, InlineDispatch],
      useFactory: (store: JetStreamEventStore<TaskEvent>, inline: InlineDispatch): TaskCommandHandler =>
        // Every commit that queues SubTasks has its jobs published by the process that appended it.
        new CommandHandler<TaskCommand, TaskEvent, TaskState>(store, taskDecider, inlineDispatch ? { onCommitted: (_taskId, seq, events) => void inline.committed(seq, events) } : {}),
    },
  ];
}
