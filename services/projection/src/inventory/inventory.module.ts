// The Proxmox inventory as a Nest module: its reader (started once the app is up, stopped before the
// connections close) and its query API.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { ensureConsumer, ensureStream } from '@vle/event-store';
import { NATS_CONNECTION, TopologyGate, type TopologyWait } from '@vle/service-kit';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { InventoryProjector } from './inventory.projector.js';
import { InventoryQueries } from './inventory.queries.js';
import { InventoryReader } from './inventory.reader.js';
import { ProxmoxController } from './proxmox.controller.js';

@Injectable()
class InventoryReaderLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private wait?: TopologyWait;

  constructor(
    private readonly reader: InventoryReader,
    private readonly gate: TopologyGate,
    private readonly topology: Topology,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { topology } = this;
    const streams = [topology.pveInventoryStream, topology.deadLetterStream];
    const consumer = { stream: topology.pveInventoryStream.name, consumer: topology.pveInventoryConsumer };
    this.wait = await this.gate.open({
      name: 'inventory',
      needs: { streams, consumers: [consumer] },
      // Whichever service boots first: the stream, where bad snapshots go, and our consumer.
      provision: async () => {
        const jsm = await jetstreamManager(this.nc);
        await Promise.all(streams.map((stream) => ensureStream(jsm, stream)));
        await ensureConsumer(jsm, consumer.stream, consumer.consumer);
      },
      start: async () => this.reader.start(),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.wait?.close();
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
      useFactory: (projector: InventoryProjector, nc: NatsConnection, topology: Topology) => new InventoryReader({ js: jetstream(nc), topology, projector, logger: new Logger('InventoryReader') }),
    },
    { provide: InventoryQueries, inject: [QUERY_DB], useFactory: (db: DataSource) => new InventoryQueries(db) },
    InventoryReaderLifecycle,
  ],
  exports: [InventoryReader],
})
export class InventoryModule {}
