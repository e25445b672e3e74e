// task-api's durable consumer, the command intake, ends what it gives up on in a dead letter (issue 8);
// it is a work queue, so the exhausted command is removed too.

import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import { ExhaustedDeliveries, type Logger } from '@vle/messaging';
import { COMMAND_RETRY_MAX_DELAY_MS } from './command-intake.js';

const millisOf = (nanos: number | undefined) => (nanos ?? 0) / 1_000_000;

export function consumerExhaustion(nc: NatsConnection, js: JetStreamClient, jsm: JetStreamManager, topology: Topology, logger: Logger): ExhaustedDeliveries[] {
  const intake = topology.commandConsumer;
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
  ];
}
