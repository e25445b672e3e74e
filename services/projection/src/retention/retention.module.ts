// The retention as a Nest module: the service over the projector's read model and the log, the
// leader's NATS responder (registered with the runner, so it serves only while this replica leads),
// and the admin routes.

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TokenVerifier } from '@vle/auth';
import { Topology } from '@vle/contracts';
import { NATS_CONNECTION, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { ProjectionRunner } from '../projector/projection.runner.js';
import { ProjectorModule } from '../projector/projector.module.js';
import { TaskProjector } from '../projector/task.projector.js';
import { Retention } from './retention.js';
import { RetentionController } from './retention.controller.js';
import { RetentionResponder } from './retention.responder.js';

@Module({
  imports: [ReadModelModule, ProjectorModule],
  controllers: [RetentionController],
  providers: [
    {
      provide: Retention,
      inject: [DataSource, QUERY_DB, NATS_CONNECTION, Topology, ProjectionRunner, TaskProjector, SERVICE_CONFIG, TokenVerifier],
      useFactory: async (db: DataSource, readDb: DataSource, nc: NatsConnection, topology: Topology, runner: ProjectionRunner, projector: TaskProjector, config: ProjectionConfig, verifier: TokenVerifier) => {
        const logger = new Logger('Retention');
        const retention = new Retention({
          db,
          readDb,
          jsm: await jetstreamManager(nc),
          stream: topology.eventStream.name,
          subjectOf: (taskId) => topology.eventSubject(taskId),
          runner,
          projector,
          policy: config.RETENTION_DISABLED ? undefined : config.RETENTION_POLICY,
          logger,
          batchSize: config.RETENTION_BATCH_SIZE,
        });
        const responder = new RetentionResponder({ nc, subject: topology.retentionRequestSubject, retention, verifier, clock: () => new Date(), logger });
        runner.whileLeading((lead) => responder.serve(lead));
        return retention;
      },
    },
  ],
})
export class RetentionModule {}
