// The JSON bodies of the Proxmox inventory API (camelCase; absent values are null). Sizes are bytes,
// times seconds, as Proxmox reports them.

import type { PveGuestEntity, PveInventorySyncEntity, PveNodeEntity } from '../db/entities/index.js';

export interface PveNodeView {
  node: string;
  /** online | offline | unknown */
  status: string;
  /** CPU load, 0..1 of maxCpu. */
  cpu: number;
  maxCpu: number;
  mem: number;
  maxMem: number;
  disk: number;
  maxDisk: number;
  uptime: number;
  pveVersion: string | null;
}

export interface PveVmView {
  vmid: number;
  name: string | null;
  node: string;
  /** running | stopped | paused | ... */
  status: string;
  template: boolean;
  lock: string | null;
  pool: string | null;
  maxCpu: number;
  maxMem: number;
  uptime: number;
}

/** GET /api/v1/proxmox/nodes; syncedAt and taskId are null until the first snapshot. */
export interface PveNodesResponse {
  syncedAt: string | null;
  taskId: string | null;
  nodes: PveNodeView[];
}

/** GET /api/v1/proxmox/vms */
export interface PveVmsResponse {
  syncedAt: string | null;
  vms: PveVmView[];
}

export const syncedAtOf = (sync: PveInventorySyncEntity | null): string | null => sync?.syncedAt?.toISOString() ?? null;

export function toNodeView(n: PveNodeEntity): PveNodeView {
  return {
    node: n.node,
    status: n.status,
    cpu: n.cpu,
    maxCpu: n.maxCpu,
    mem: n.mem,
    maxMem: n.maxMem,
    disk: n.disk,
    maxDisk: n.maxDisk,
    uptime: n.uptime,
    pveVersion: n.pveVersion,
  };
}

export function toVmView(g: PveGuestEntity): PveVmView {
  return {
    vmid: g.vmid,
    name: g.name,
    node: g.node,
    status: g.status,
    template: g.template,
    lock: g.lock,
    pool: g.pool,
    maxCpu: g.maxCpu,
    maxMem: g.maxMem,
    uptime: g.uptime,
  };
}
