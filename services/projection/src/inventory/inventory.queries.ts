// Reads of the Proxmox inventory. The rows and the sync row that names them are read in one
// REPEATABLE READ transaction, so an answer never mixes two snapshots.

import type { DataSource, FindOptionsWhere } from 'typeorm';
import { PveGuestEntity, PveInventorySyncEntity, PveNodeEntity } from '../db/entities/index.js';
import type { GuestFilter } from './inventory-query.js';
import { syncedAtOf, toNodeView, toVmView, type PveNodesResponse, type PveVmsResponse, type PveVmView } from './inventory.views.js';

export class InventoryQueries {
  constructor(private readonly db: DataSource) {}

  nodes(): Promise<PveNodesResponse> {
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const sync = await m.getRepository(PveInventorySyncEntity).findOneBy({ id: 1 });
      const nodes = await m.getRepository(PveNodeEntity).find({ order: { node: 'ASC' } });
      return { syncedAt: syncedAtOf(sync), taskId: sync?.taskId ?? null, nodes: nodes.map(toNodeView) };
    });
  }

  vms(filter: GuestFilter): Promise<PveVmsResponse> {
    // TypeORM 1.x throws on undefined in a where: only the given filters go in.
    const where: FindOptionsWhere<PveGuestEntity> = {};
    if (filter.node !== undefined) where.node = filter.node;
    if (filter.template !== undefined) where.template = filter.template;
    if (filter.status !== undefined) where.status = filter.status;
    if (filter.pool !== undefined) where.pool = filter.pool;
    return this.db.transaction('REPEATABLE READ', async (m) => {
      const sync = await m.getRepository(PveInventorySyncEntity).findOneBy({ id: 1 });
      const vms = await m.getRepository(PveGuestEntity).find({ where, order: { vmid: 'ASC' } });
      return { syncedAt: syncedAtOf(sync), vms: vms.map(toVmView) };
    });
  }

  async vm(vmid: number): Promise<PveVmView | undefined> {
    const guest = await this.db.getRepository(PveGuestEntity).findOneBy({ vmid });
    return guest ? toVmView(guest) : undefined;
  }
}
