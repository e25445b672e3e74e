// The Proxmox inventory read model: the newest node info sync snapshot (nodes, VMs and templates), fed
// by PVE_INVENTORY, not by the event log. Replaced as a whole by each newer snapshot; the single row
// of pve_inventory_syncs says which snapshot the rows are, and its row lock serializes replicas.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PveInventory1764374400000 implements MigrationInterface {
  name = 'PveInventory1764374400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE pve_inventory_syncs (
        id smallint PRIMARY KEY CHECK (id = 1),
        synced_at timestamptz,
        stream_seq bigint,
        task_id text,
        sub_task_id text,
        nodes integer NOT NULL DEFAULT 0,
        guests integer NOT NULL DEFAULT 0,
        applied_at timestamptz
      )`);
    // Present from the start, so that the reader can always lock it (nothing applied: synced_at null).
    await db.query(`INSERT INTO pve_inventory_syncs (id) VALUES (1)`);

    await db.query(`
      CREATE TABLE pve_nodes (
        node text PRIMARY KEY,
        status text NOT NULL,
        cpu double precision NOT NULL,
        max_cpu integer NOT NULL,
        mem bigint NOT NULL,
        max_mem bigint NOT NULL,
        disk bigint NOT NULL,
        max_disk bigint NOT NULL,
        uptime bigint NOT NULL,
        pve_version text
      )`);

    // vmid is unique in a Proxmox cluster. The guest's node is not a foreign key: a sync may list a
    // guest of a node whose status it could not read.
    await db.query(`
      CREATE TABLE pve_guests (
        vmid integer PRIMARY KEY,
        name text,
        node text NOT NULL,
        status text NOT NULL,
        template boolean NOT NULL,
        lock text,
        pool text,
        max_cpu integer NOT NULL,
        max_mem bigint NOT NULL,
        uptime bigint NOT NULL
      )`);
    // The filters of GET /api/v1/proxmox/vms, each served with the list's order (vmid).
    await db.query(`CREATE INDEX pve_guests_node_idx ON pve_guests (node, vmid)`);
    await db.query(`CREATE INDEX pve_guests_status_idx ON pve_guests (status, vmid)`);
    await db.query(`CREATE INDEX pve_guests_template_idx ON pve_guests (template, vmid)`);
    await db.query(`CREATE INDEX pve_guests_pool_idx ON pve_guests (pool, vmid)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE pve_guests`);
    await db.query(`DROP TABLE pve_nodes`);
    await db.query(`DROP TABLE pve_inventory_syncs`);
  }
}
