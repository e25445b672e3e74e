// Request and response types of the Proxmox VE endpoints vle-tasks uses, written by hand from the
// `parameters` and `returns` of the official schema pve-api-9.1.3.json (PVE 9.1.3, pve-docs
// apidata.js) beside this folder. Only the fields we read or send are spelled out; responses keep an
// index signature because the server adds fields between versions.

import type { PveUpid } from './upid.js';

/** Schema booleans arrive in JSON as 0/1 (Perl has no booleans); accept both. */
export type PveBool = 0 | 1 | boolean;

/** GET /version */
export interface PveVersion {
  readonly version: string;
  readonly release: string;
  readonly repoid: string;
  readonly console?: 'applet' | 'vv' | 'html5' | 'xtermjs';
}

export type PveResourceType = 'node' | 'storage' | 'pool' | 'qemu' | 'lxc' | 'openvz' | 'sdn' | 'network';

/** A row of GET /cluster/resources; which fields are set depends on `type`. */
export interface PveResource {
  readonly id: string;
  readonly type: PveResourceType;
  readonly node?: string;
  readonly status?: string;
  readonly name?: string;
  readonly vmid?: number;
  readonly template?: PveBool;
  readonly lock?: string;
  readonly pool?: string;
  readonly hastate?: string;
  readonly tags?: string;
  readonly storage?: string;
  readonly shared?: PveBool;
  readonly content?: string;
  readonly cpu?: number;
  readonly maxcpu?: number;
  readonly mem?: number;
  readonly maxmem?: number;
  readonly disk?: number;
  readonly maxdisk?: number;
  readonly uptime?: number;
  readonly [field: string]: unknown;
}

/** A guest row of GET /cluster/resources?type=vm: `node` is where the guest is now. */
export interface PveVmResource extends PveResource {
  readonly type: 'qemu' | 'lxc';
  readonly vmid: number;
  readonly node: string;
}

export type PveVmRunState = 'running' | 'stopped';

/** A row of GET /nodes/{node}/qemu. */
export interface PveVmListEntry {
  readonly vmid: number;
  readonly status: PveVmRunState;
  readonly name?: string;
  readonly lock?: string;
  readonly template?: PveBool;
  readonly tags?: string;
  readonly qmpstatus?: string;
  readonly pid?: number;
  readonly uptime?: number;
  readonly cpu?: number;
  readonly cpus?: number;
  readonly mem?: number;
  readonly maxmem?: number;
  readonly maxdisk?: number;
  readonly [field: string]: unknown;
}

/** GET /nodes/{node}/qemu/{vmid}/status/current */
export interface PveVmStatus extends PveVmListEntry {
  readonly ha: Readonly<Record<string, unknown>>;
  readonly agent?: PveBool;
}

/** A row of GET /nodes. */
export interface PveNodeSummary {
  readonly node: string;
  readonly status: 'unknown' | 'online' | 'offline';
  readonly cpu?: number;
  readonly maxcpu?: number;
  readonly mem?: number;
  readonly maxmem?: number;
  readonly uptime?: number;
  readonly level?: string;
  readonly ssl_fingerprint?: string;
}

/** GET /nodes/{node}/status (the schema allows additional properties). */
export interface PveNodeStatus {
  readonly cpu: number;
  readonly cpuinfo: { readonly cores: number; readonly cpus: number; readonly model: string; readonly sockets: number };
  readonly memory: { readonly total: number; readonly used: number; readonly free: number; readonly available?: number };
  readonly rootfs: { readonly total: number; readonly used: number; readonly free: number; readonly avail: number };
  readonly loadavg: readonly string[];
  readonly pveversion: string;
  readonly uptime?: number;
  readonly [field: string]: unknown;
}

/** GET /nodes/{node}/tasks/{upid}/status: the UPID's fields, and how the task stands. */
export interface PveTaskStatus extends PveUpid {
  readonly upid: string;
  readonly status: 'running' | 'stopped';
  /** Set once stopped: "OK", "WARNINGS: N", or the error text. */
  readonly exitstatus?: string;
}

/** POST /nodes/{node}/qemu/{vmid}/clone */
export interface PveCloneOptions {
  /** 100 - 999999999. /cluster/nextid reserves nothing: a race shows as kind 'config_exists'. */
  readonly newid: number;
  readonly name?: string;
  /** Default: linked clone for a template, full copy otherwise. */
  readonly full?: boolean;
  /** Only allowed if the source VM is on shared storage. */
  readonly target?: string;
  readonly pool?: string;
  /** Full clones only. */
  readonly storage?: string;
  /** Full clones only. */
  readonly format?: 'raw' | 'qcow2' | 'vmdk';
  readonly description?: string;
  readonly snapname?: string;
  /** KiB/s */
  readonly bwlimit?: number;
}

/** DELETE /nodes/{node}/qemu/{vmid} */
export interface PveDeleteOptions {
  /** Also remove the VMID from backup, replication and HA configuration. */
  readonly purge?: boolean;
  readonly destroyUnreferencedDisks?: boolean;
  /** root@pam only. */
  readonly skiplock?: boolean;
}

/** POST …/status/start */
export interface PveStartOptions {
  /** Seconds; the server's default is max(30, memory in GiB). */
  readonly timeout?: number;
  readonly skiplock?: boolean;
}

/** POST …/status/stop */
export interface PveStopOptions {
  readonly timeout?: number;
  /** Abort running qmshutdown tasks first. */
  readonly overruleShutdown?: boolean;
  readonly keepActive?: boolean;
  readonly skiplock?: boolean;
}

/** POST …/status/shutdown */
export interface PveShutdownOptions {
  readonly timeout?: number;
  /** Stop the VM if it does not shut down within the timeout. */
  readonly forceStop?: boolean;
  readonly keepActive?: boolean;
  readonly skiplock?: boolean;
}

/** POST …/status/reset */
export interface PveResetOptions {
  readonly skiplock?: boolean;
}

/** POST /nodes/{node}/qemu/{vmid}/migrate */
export interface PveMigrateOptions {
  readonly target: string;
  /** Live migration; ignored for a stopped VM. */
  readonly online?: boolean;
  readonly withLocalDisks?: boolean;
  /** A storage ID, `source:target` pairs, or '1' to map each storage to itself. */
  readonly targetstorage?: string;
  readonly bwlimit?: number;
}
