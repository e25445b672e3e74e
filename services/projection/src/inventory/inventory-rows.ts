// A parsed Proxmox inventory snapshot as the rows of pve_nodes, pve_guests and pve_inventory_syncs.
// Pure: the projector writes these rows, the tests compare them.

import type { PveGuestInfo, PveInventorySnapshot, PveNodeInfo } from '@vle/contracts';

/** A row of pve_nodes, keyed by column name (inserted through jsonb_to_recordset). */
export interface PveNodeRow {
  readonly node: string;
  readonly status: string;
  readonly cpu: number;
  readonly max_cpu: number;
  readonly mem: number;
  readonly max_mem: number;
  readonly disk: number;
  readonly max_disk: number;
  readonly uptime: number;
  readonly pve_version: string | null;
}

/** A row of pve_guests. */
export interface PveGuestRow {
  readonly vmid: number;
  readonly name: string | null;
  readonly node: string;
  readonly status: string;
  readonly template: boolean;
  readonly lock: string | null;
  readonly pool: string | null;
  readonly max_cpu: number;
  readonly max_mem: number;
  readonly uptime: number;
}

export interface InventoryRows {
  /** synced_at with the microseconds PostgreSQL keeps: 2026-11-22T10:00:00.123456Z */
  readonly syncedAt: string;
  readonly taskId: string | null;
  readonly subTaskId: string | null;
  /** Ordered by name. */
  readonly nodes: readonly PveNodeRow[];
  /** Ordered by vmid. */
  readonly guests: readonly PveGuestRow[];
}

/** Proxmox leaves a field out (or empty) when there is nothing to say: a null column. */
const orNull = (text: string): string | null => (text.trim() === '' ? null : text);

// The contract bounds 64-bit counters to safe integers, so the conversion is exact.
const count = (value: bigint): number => Number(value);

export function nodeRow(n: PveNodeInfo): PveNodeRow {
  return {
    node: n.node,
    status: n.status,
    cpu: n.cpu,
    max_cpu: n.maxCpu,
    mem: count(n.mem),
    max_mem: count(n.maxMem),
    disk: count(n.disk),
    max_disk: count(n.maxDisk),
    uptime: count(n.uptime),
    pve_version: orNull(n.pveVersion),
  };
}

export function guestRow(g: PveGuestInfo): PveGuestRow {
  return {
    vmid: g.vmid,
    name: orNull(g.name),
    node: g.node,
    status: g.status,
    template: g.template,
    lock: orNull(g.lock),
    pool: orNull(g.pool),
    max_cpu: g.maxCpu,
    max_mem: count(g.maxMem),
    uptime: count(g.uptime),
  };
}

/** RFC 3339 with microseconds (PostgreSQL's precision) from a proto Timestamp. */
export function timestampMicros(seconds: bigint, nanos: number): string {
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

export function inventoryRows(snapshot: PveInventorySnapshot): InventoryRows {
  // syncedAt is required by the contract; parsePveInventorySnapshot has checked it.
  const at = snapshot.syncedAt!;
  return {
    syncedAt: timestampMicros(at.seconds, at.nanos),
    taskId: orNull(snapshot.taskId),
    subTaskId: orNull(snapshot.subTaskId),
    nodes: snapshot.nodes.map(nodeRow).sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)),
    guests: snapshot.guests.map(guestRow).sort((a, b) => a.vmid - b.vmid),
  };
}
