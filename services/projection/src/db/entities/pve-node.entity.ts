import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from './bigint.transformer.js';

/** A Proxmox node as the newest inventory snapshot reports it (migration PveInventory). Bytes, seconds. */
@Entity({ name: 'pve_nodes' })
export class PveNodeEntity {
  @PrimaryColumn({ type: 'text' })
  node!: string;

  /** online | offline | unknown */
  @Column({ type: 'text' })
  status!: string;

  /** CPU load, 0..1 of maxCpu. */
  @Column({ type: 'double precision' })
  cpu!: number;

  @Column({ name: 'max_cpu', type: 'integer' })
  maxCpu!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  mem!: number;

  @Column({ name: 'max_mem', type: 'bigint', transformer: bigintAsNumber })
  maxMem!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  disk!: number;

  @Column({ name: 'max_disk', type: 'bigint', transformer: bigintAsNumber })
  maxDisk!: number;

  @Column({ type: 'bigint', transformer: bigintAsNumber })
  uptime!: number;

  @Column({ name: 'pve_version', type: 'text', nullable: true })
  pveVersion!: string | null;
}
