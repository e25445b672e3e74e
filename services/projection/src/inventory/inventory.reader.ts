// Reads PVE_INVENTORY with the projection's durable pull consumer and applies each snapshot. Settles
// through the durable-consumer loop of libs/messaging: ack once applied or ignored (older than the
// applied one), term after dead-lettering a snapshot that can never be applied (malformed, or values
// PostgreSQL refuses), nak (redelivered after 1 s) while PostgreSQL is unavailable. A bad snapshot
// never blocks the next one.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { ContractError, parsePveInventorySnapshot, type Topology } from '@vle/contracts';
import { DurableConsumer, publishDeadLetter, Settle, type Logger, type Settlement } from '@vle/messaging';
import { isDataError } from '../projector/errors.js';
import { inventoryRows } from './inventory-rows.js';
import type { InventoryProjector } from './inventory.projector.js';

export interface InventoryReaderOptions {
  readonly js: JetStreamClient;
  readonly topology: Topology;
  readonly projector: InventoryProjector;
  readonly logger: Logger;
}

export interface InventoryReaderStats {
  readonly applied: number;
  readonly ignored: number;
  readonly deadLettered: number;
}

export class InventoryReader {
  private readonly consumer: DurableConsumer;
  private counts = { applied: 0, ignored: 0, deadLettered: 0 };

  constructor(private readonly options: InventoryReaderOptions) {
    this.consumer = new DurableConsumer({
      js: options.js,
      stream: options.topology.pveInventoryStream.name,
      durable: options.topology.pveInventoryConsumer.durable_name!,
      name: 'inventory reader',
      // Snapshots in stream order; the consumer's max_ack_pending of 1 does the same across replicas.
      concurrency: 1,
      logger: options.logger,
      handle: (message) => this.handle(message),
    });
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  stats(): InventoryReaderStats {
    return { ...this.counts };
  }

  async handle(message: Pick<JsMsg, 'subject' | 'data' | 'seq'>): Promise<Settlement> {
    let rows;
    try {
      rows = inventoryRows(parsePveInventorySnapshot(message.data));
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      return this.deadLetter(message, error.code, error.message);
    }
    try {
      const outcome = await this.options.projector.apply(rows, message.seq);
      if (outcome.kind === 'applied') {
        this.counts.applied += 1;
      } else {
        this.counts.ignored += 1;
        this.options.logger.log(
          `inventory snapshot seq=${message.seq} synced at ${rows.syncedAt} ignored: the one applied (seq=${outcome.appliedSeq}, synced at ${outcome.appliedSyncedAt}) is as new or newer`,
        );
      }
      return Settle.ack;
    } catch (error) {
      if (!isDataError(error)) throw error;
      return this.deadLetter(message, 'REJECTED_BY_DATABASE', `PostgreSQL refused the snapshot: ${(error as Error).message}`);
    }
  }

  private async deadLetter(message: Pick<JsMsg, 'subject' | 'data' | 'seq'>, code: string, reason: string): Promise<Settlement> {
    const { js, topology, logger } = this.options;
    await publishDeadLetter(js, { source: 'inventory.pve', deadLetterSubject: topology.deadLetterSubject('inventory.pve'), code, reason, message });
    this.counts.deadLettered += 1;
    logger.warn(`inventory snapshot seq=${message.seq} refused (${code}: ${reason}); dead-lettered`);
    return Settle.term;
  }
}
