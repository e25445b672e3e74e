// The dead letters of DEAD_LETTERS for admins: the reader over the projection's NATS connection and
// its routes. Any replica serves them (nothing of them is in the read model).

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';
import { Topology } from '@vle/contracts';
import { NATS_CONNECTION } from '@vle/service-kit';
import { DeadLetterReader } from './dead-letter-reader.js';
import { DeadLettersController } from './dead-letters.controller.js';

@Module({
  controllers: [DeadLettersController],
  providers: [
    {
      provide: DeadLetterReader,
      inject: [NATS_CONNECTION, Topology],
      useFactory: async (nc: NatsConnection, topology: Topology) =>
        new DeadLetterReader({ js: jetstream(nc), jsm: await jetstreamManager(nc), stream: topology.deadLetterStream.name, subjectPrefix: topology.deadLetterSubject('' as never) }),
    },
  ],
})
export class DeadLettersModule {}
