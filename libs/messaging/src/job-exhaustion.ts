// A job whose deliveries ran out while its SubTask is not finished (the worker of its last delivery
// died too, or no worker settled it) must not leave the SubTask `running` forever (issue 8): the
// MAX_DELIVERIES advisory of its queue's consumer, or the sweep of the queue for a message no one
// was told about, records it failed, WORKER_LOST, then dead-letters the job and removes it.

import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { JobSchema, parseMessage, type QueuePolicy, type Topology } from '@vle/contracts';
import { ExhaustedDeliveries, type ExhaustedDelivery } from './exhausted-deliveries.js';
import type { Logger, TaskCommands } from './task-commands.js';

export interface JobExhaustionOptions {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly policy: QueuePolicy;
  readonly commands: TaskCommands;
  readonly logger: Logger;
  readonly now?: () => Date;
}

export function jobExhaustion(options: JobExhaustionOptions): ExhaustedDeliveries {
  const { topology, policy, commands, logger } = options;
  const consumer = topology.jobConsumer(policy);
  const longestDelayMs = Math.max(0, ...policy.retryIntervalsMs);
  const recordLost = async (delivery: ExhaustedDelivery): Promise<void> => {
    // Terminated jobs are settled on purpose by the runtime (recorded first); only exhaustion is a loss.
    if (delivery.kind !== 'MAX_DELIVERIES' || !delivery.message) return;
    const job = parseMessage(JobSchema, delivery.message.data);
    await commands.handle({
      type: 'RecordWorkerLost',
      taskId: job.taskId,
      subTaskId: job.subTaskId,
      generation: job.generation,
      at: (options.now ?? (() => new Date()))().toISOString(),
      actor: `worker:${policy.queue}`,
      responseMessage: `the job was delivered ${delivery.deliveries} times and never settled: the workers of its attempts stopped`,
    });
    logger.warn(`job ${job.subTaskId}:${job.generation} of Task ${job.taskId} exhausted its ${delivery.deliveries} deliveries on ${policy.queue}: recorded WORKER_LOST`);
  };
  return new ExhaustedDeliveries({
    nc: options.nc,
    js: options.js,
    jsm: options.jsm,
    stream: topology.jobStream.name,
    consumer: consumer.durable_name!,
    source: `jobs.${policy.queue}`,
    deadLetterSubject: topology.deadLetterSubject(`jobs.${policy.queue}`),
    workQueue: true,
    // However long a job may still be in flight: every delivery an attempt long, a retry delay apart.
    strandedAfterMs: (consumer.max_deliver ?? 1) * (policy.attemptTimeoutMs + longestDelayMs + topology.jobAckWaitMs),
    onExhausted: recordLost,
    logger,
  });
}
