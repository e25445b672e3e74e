// Proxmox task identifiers (pve-common src/PVE/UPID.pm):
// UPID:$node:$pid(8 hex):$pstart(8-9 hex):$starttime(8 hex):$type:$id:$user:

export interface PveUpid {
  readonly node: string;
  readonly pid: number;
  readonly pstart: number;
  /** Unix seconds. */
  readonly starttime: number;
  /** qmclone, qmstart, qmdestroy, hastart, … */
  readonly type: string;
  /** The guest the task is about (for a clone: the source vmid); may be empty. */
  readonly id: string;
  /** USER@REALM or USER@REALM!TOKENID */
  readonly user: string;
}

// The regex of PVE::UPID::decode; pstart may have 9 digits after 497 days of uptime.
const UPID = /^UPID:([a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s/]+):([^:\s/]*):([^:\s/]+):$/;

/** Throws on anything PVE itself would not parse ("unable to parse worker upid"). */
export function parseUpid(upid: string): PveUpid {
  const match = UPID.exec(upid);
  if (!match) throw new TypeError(`unable to parse worker upid '${upid}'`);
  const [, node, pid, pstart, starttime, type, id, user] = match as unknown as [string, string, string, string, string, string, string, string];
  return { node, pid: parseInt(pid, 16), pstart: parseInt(pstart, 16), starttime: parseInt(starttime, 16), type, id, user };
}

/** PVE::UPID::status_is_error inverted: only "OK" and "WARNINGS: N" are success. */
export function isTaskSuccess(exitstatus: string | undefined): boolean {
  return exitstatus === 'OK' || (exitstatus !== undefined && /^WARNINGS: \d+$/.test(exitstatus));
}
