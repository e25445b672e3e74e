// task-api's durable consumers end what they give up on in a dead letter (issue 8): the command
// intake (a work queue: the exhausted command is removed too) and the dispatcher (the event log:
// the commit stays, its dead letter tells an admin that its jobs may not have been published).

import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import { ExhaustedDeliveries, type Logger } from '@vle/messaging';
import { COMMAND_RETRY_MAX_DELAY_MS } from './command-intake.js';

/** The dispatcher naks a commit it could not dispatch for 1 s (dispatch/dispatcher.ts). */
const DISPATCH_RETRY_DELAY_MS = 1_000;

const millisOf = (nanos: number | undefined) => (nanos ?? 0) / 1_000_000;

export function consumerExhaustion(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, topology: Topology, logger: Logger): ExhaustedDeliveries[] {
  const intake = topology.commandConsumer;
  const dispatcher = topology.dispatcherConsumer;
  return [
    new ExhaustedDeliveries({
      nc,
      js,
      jsm,
      stream: topology.commandStream.name,
      consumer: intake.durable_name!,
      source: 'commands',
      deadLetterSubject: topology.deadLetterSubject('commands'),
      workQueue: true,
      // Every delivery may wait the longest nak delay and then its ack_wait.
      strandedAfterMs: (intake.max_deliver ?? 1) * (COMMAND_RETRY_MAX_DELAY_MS + millisOf(intake.ack_wait)),
      logger,
    }),
    new ExhaustedDeliveries({
      nc,
      js,
      jsm,
      stream: topology.eventStream.name,
      consumer: dispatcher.durable_name!,
      source: 'dispatch',
      deadLetterSubject: topology.deadLetterSubject('dispatch'),
      workQueue: false,
      strandedAfterMs: (dispatcher.max_deliver ?? 1) * (DISPATCH_RETRY_DELAY_MS + millisOf(dispatcher.ack_wait)),
      logger,
    }),
  ];
}
