import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, Module, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { NATS_CONNECTION, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { LiveHub } from './live-hub.js';
import { LivePublisher } from './live-publisher.js';
import { LiveStreamController } from './live-stream.controller.js';

@Injectable()
class LiveLifecycle implements OnModuleDestroy {
  constructor(
    private readonly hub: LiveHub,
    @Inject(LivePublisher) private readonly publisher: LivePublisher,
  ) {}

  // Before the HTTP server closes: open streams would keep it waiting.
  onModuleDestroy(): void {
    this.hub.stop();
    this.publisher.close();
  }
}

/** The live stream: the leader's publisher of changes and this replica's clients. */
@Module({
  imports: [ReadModelModule],
  controllers: [LiveStreamController],
  providers: [
    { provide: LivePublisher, inject: [NATS_CONNECTION, Topology], useFactory: (nc: NatsConnection, topology: Topology) => new LivePublisher(nc, topology) },
    {
      provide: LiveHub,
      inject: [NATS_CONNECTION, Topology, QUERY_DB, SERVICE_CONFIG],
      useFactory: (nc: NatsConnection, topology: Topology, db: DataSource, config: ProjectionConfig) => {
        const logger = new Logger('LiveHub');
        return new LiveHub(nc, topology, db, {
          heartbeatMs: config.PROJECTION_LIVE_HEARTBEAT_MS,
          catchUpMax: config.PROJECTION_LIVE_CATCH_UP_MAX,
          maxClients: config.PROJECTION_LIVE_MAX_CLIENTS,
          onError: (message) => logger.warn(message),
        });
      },
    },
    LiveLifecycle,
  ],
  exports: [LivePublisher, LiveHub],
})
export class LiveModule {}
