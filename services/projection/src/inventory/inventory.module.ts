// The Proxmox inventory as a Nest module: its reader (started once the app is up, stopped before the
// connections close) and its query API.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { ensureConsumer, ensureStream } from '@vle/event-store';
import { NATS_CONNECTION } from '@vle/service-kit';
import { ReadModelModule } from '../db/read-model.module.js';
import { InventoryProjector } from './inventory.projector.js';
import { InventoryQueries } from './inventory.queries.js';
import { InventoryReader } from './inventory.reader.js';
import { ProxmoxController } from './proxmox.controller.js';

@Injectable()
class InventoryReaderLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  constructor(private readonly reader: InventoryReader) {}

  onApplicationBootstrap(): void {
    this.reader.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.reader.stop();
  }
}

@Module({
  imports: [ReadModelModule],
  controllers: [ProxmoxController],
  providers: [
    { provide: InventoryProjector, inject: [DataSource], useFactory: (db: DataSource) => new InventoryProjector(db) },
    {
      provide: InventoryReader,
      inject: [InventoryProjector, NATS_CONNECTION, Topology],
      useFactory: async (projector: InventoryProjector, nc: NatsConnection, topology: Topology) => {
        // Whichever service boots first: the stream, where bad snapshots go, and our consumer.
        const jsm = await jetstreamManager(nc);
        await Promise.all([ensureStream(jsm, topology.pveInventoryStream), ensureStream(jsm, topology.deadLetterStream)]);
        await ensureConsumer(jsm, topology.pveInventoryStream.name, topology.pveInventoryConsumer);
        return new InventoryReader({ js: jetstream(nc), topology, projector, logger: new Logger('InventoryReader') });
      },
    },
    { provide: InventoryQueries, inject: [DataSource], useFactory: (db: DataSource) => new InventoryQueries(db) },
    InventoryReaderLifecycle,
  ],
  exports: [InventoryReader],
})
export class InventoryModule {}
