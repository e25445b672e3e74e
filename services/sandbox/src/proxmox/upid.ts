// The task id of Proxmox VE, as pve-common src/PVE/UPID.pm (upid_encode/upid_decode) writes it:
// UPID:$node:$pid(8 hex):$pstart(8-9 hex):$starttime(8 hex):$type:$id:$user:

export interface Upid {
  readonly node: string;
  readonly pid: number;
  readonly pstart: number;
  /** Seconds since the epoch. */
  readonly starttime: number;
  readonly type: string;
  readonly id: string;
  /** `user@realm` or, for an API token, `user@realm!tokenid`. */
  readonly user: string;
}

const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');

export function encodeUpid(upid: Upid): string {
  return `UPID:${upid.node}:${hex(upid.pid, 8)}:${hex(upid.pstart, 8)}:${hex(upid.starttime, 8)}:${upid.type}:${upid.id}:${upid.user}:`;
}

// The regex of UPID.pm upid_decode.
const UPID_PATTERN = /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

export function decodeUpid(text: string): Upid | undefined {
  const match = UPID_PATTERN.exec(text);
  if (!match) return undefined;
  return {
    node: match[1]!,
    pid: Number.parseInt(match[3]!, 16),
    pstart: Number.parseInt(match[4]!, 16),
    starttime: Number.parseInt(match[5]!, 16),
    type: match[6]!,
    id: match[7]!,
    user: match[8]!,
  };
}
