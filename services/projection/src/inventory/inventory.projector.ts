// Applies a Proxmox inventory snapshot in ONE transaction: lock the sync row, ignore the snapshot if
// it is not newer than the applied one (a redelivery, or an older sync arriving late), else replace
// every node and guest row and record the snapshot. Idempotent: the same snapshot twice is ignored
// the second time; replicas are serialized by the row lock.

import type { DataSource } from 'typeorm';
import type { InventoryRows } from './inventory-rows.js';

export type InventoryOutcome =
  | { readonly kind: 'applied'; readonly nodes: number; readonly guests: number }
  /** Not newer than the applied snapshot (synced at `appliedSyncedAt`, stream seq `appliedSeq`). */
  | { readonly kind: 'ignored'; readonly appliedSyncedAt: string; readonly appliedSeq: number };

const LOCK_SYNC = `
  SELECT to_char(synced_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS synced_at, stream_seq,
         (synced_at IS NOT NULL AND synced_at >= $1::timestamptz) AS stale
  FROM pve_inventory_syncs WHERE id = 1 FOR UPDATE`;

const INSERT_NODES = `
  INSERT INTO pve_nodes (node, status, cpu, max_cpu, mem, max_mem, disk, max_disk, uptime, pve_version)
  SELECT node, status, cpu, max_cpu, mem, max_mem, disk, max_disk, uptime, pve_version
  FROM jsonb_to_recordset($1::jsonb) AS r(node text, status text, cpu double precision, max_cpu integer, mem bigint,
       max_mem bigint, disk bigint, max_disk bigint, uptime bigint, pve_version text)`;

const INSERT_GUESTS = `
  INSERT INTO pve_guests (vmid, name, node, status, template, lock, pool, max_cpu, max_mem, uptime)
  SELECT vmid, name, node, status, template, lock, pool, max_cpu, max_mem, uptime
  FROM jsonb_to_recordset($1::jsonb) AS r(vmid integer, name text, node text, status text, template boolean,
       lock text, pool text, max_cpu integer, max_mem bigint, uptime bigint)`;

const RECORD_SYNC = `
  UPDATE pve_inventory_syncs
  SET synced_at = $1::timestamptz, stream_seq = $2, task_id = $3, sub_task_id = $4, nodes = $5, guests = $6, applied_at = now()
  WHERE id = 1`;

export class InventoryProjector {
  constructor(private readonly db: DataSource) {}

  /** Applies the snapshot stored at stream sequence `seq`, unless a newer one is applied already. */
  async apply(rows: InventoryRows, seq: number): Promise<InventoryOutcome> {
    return this.db.transaction(async (m) => {
      const [sync] = (await m.query(LOCK_SYNC, [rows.syncedAt])) as Array<{ synced_at: string | null; stream_seq: string | null; stale: boolean }>;
      if (!sync) throw new Error('pve_inventory_syncs has no row 1: the read model is not migrated');
      if (sync.stale) return { kind: 'ignored', appliedSyncedAt: sync.synced_at!, appliedSeq: Number(sync.stream_seq) };
      // Whole replacement: what the snapshot does not list is gone from the cluster.
      await m.query(`DELETE FROM pve_guests`);
      await m.query(`DELETE FROM pve_nodes`);
      if (rows.nodes.length > 0) await m.query(INSERT_NODES, [JSON.stringify(rows.nodes)]);
      if (rows.guests.length > 0) await m.query(INSERT_GUESTS, [JSON.stringify(rows.guests)]);
      await m.query(RECORD_SYNC, [rows.syncedAt, seq, rows.taskId, rows.subTaskId, rows.nodes.length, rows.guests.length]);
      return { kind: 'applied', nodes: rows.nodes.length, guests: rows.guests.length };
    });
  }
}
