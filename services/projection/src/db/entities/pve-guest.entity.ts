import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

/** A VM or template as the newest inventory snapshot reports it (migration PveInventory). */
@Entity({ name: 'pve_guests' })
// Declared for the schema diff only; the migration creates them.
@Index('pve_guests_node_idx', { synchronize: false })
@Index('pve_guests_status_idx', { synchronize: false })
@Index('pve_guests_template_idx', { synchronize: false })
@Index('pve_guests_pool_idx', { synchronize: false })
export class PveGuestEntity {
  @PrimaryColumn({ type: 'integer' })
  vmid!: number;

  @Column({ type: 'text', nullable: true })
  name!: string | null;

  @Column({ type: 'text' })
  node!: string;

  /** running | stopped | paused | ... as Proxmox says. */
  @Column({ type: 'text' })
  status!: string;

  @Column({ type: 'boolean' })
  template!: boolean;

  @Column({ type: 'text', nullable: true })
  lock!: string | null;

  @Column({ type: 'text', nullable: true })
  pool!: string | null;

  @Column({ name: 'max_cpu', type: 'integer' })
  maxCpu!: number;

  @Column({ name: 'max_mem', type: 'bigint', transformer: bigintAsNumber })
  maxMem!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  uptime!: number;
}
