// The Proxmox inventory is not replayed from the event log (it is not in it), so a rebuild that swaps
// the read-model schema carries the live inventory over instead of starting empty for up to a sync
// interval. Runs inside the swap's transaction.

import type { QueryRunner } from 'typeorm';

const TABLES = ['pve_nodes', 'pve_guests', 'pve_inventory_syncs'] as const;

/** Copies the inventory of schema `from` into schema `to` (both migrated alike); false if `from` has none. */
export async function carryInventory(runner: QueryRunner, from: string, to: string): Promise<boolean> {
  const [{ present }] = await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${from}.pve_inventory_syncs`]);
  if (!present) return false;
  // Waits for a snapshot being applied; the reader's next transaction finds the tables of `to`.
  await runner.query(`LOCK TABLE ${from}.pve_inventory_syncs IN ACCESS EXCLUSIVE MODE`);
  for (const table of TABLES) {
    await runner.query(`DELETE FROM ${to}.${table}`);
    // Same migrations on both sides, hence the same columns in the same order.
    await runner.query(`INSERT INTO ${to}.${table} SELECT * FROM ${from}.${table}`);
  }
  return true;
}
