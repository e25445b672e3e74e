// The task id of Proxmox VE, as pve-common src/PVE/UPID.pm (upid_encode/upid_decode) writes it:
// UPID:$node:$pid(8 hex):$pstart(8-9 hex):$starttime(8 hex):$type:$id:$user:

import type { PveUpid } from '@vle/integrations';

const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0');

export function encodeUpid(upid: PveUpid): string {
  return `UPID:${upid.node}:${hex(upid.pid, 8)}:${hex(upid.pstart, 8)}:${hex(upid.starttime, 8)}:${upid.type}:${upid.id}:${upid.user}:`;
}
