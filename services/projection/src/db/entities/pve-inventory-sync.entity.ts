import { Check, Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

/** The one row (id 1) naming the inventory snapshot that pve_nodes and pve_guests hold. */
@Entity({ name: 'pve_inventory_syncs' })
@Check('pve_inventory_syncs_id_check', 'id = 1')
export class PveInventorySyncEntity {
  @PrimaryColumn({ type: 'smallint' })
  id!: number;

  /** When the worker read Proxmox; null before the first snapshot. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt!: Date | null;

  /** PVE_INVENTORY stream sequence of the applied snapshot. */
  @Column({ name: 'stream_seq', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  streamSeq!: number | null;

  @Column({ name: 'task_id', type: 'text', nullable: true })
  taskId!: string | null;

  @Column({ name: 'sub_task_id', type: 'text', nullable: true })
  subTaskId!: string | null;

  @Column({ type: 'integer', default: 0 })
  nodes!: number;

  @Column({ type: 'integer', default: 0 })
  guests!: number;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt!: Date | null;
}
