// The Proxmox inventory snapshot (proto vle.tasks.v1.PveInventorySnapshot) as JSON: what a node info
// sync publishes on `inventory.pve.snapshot` and what the projection reads back.

import { ContractError, type Violation } from './errors.js';
import {
  PveInventorySnapshotSchema,
  type PveGuestInfoJson,
  type PveInventorySnapshot,
  type PveInventorySnapshotJson,
  type PveNodeInfoJson,
} from './gen/vle/tasks/v1/inventory_pb.js';
import { MAX_INVENTORY_SNAPSHOT_BYTES } from './topology.js';
import { parseMessage } from './validation.js';

/** The 64-bit counters as JSON numbers, as Proxmox reports them (proto3 JSON also reads decimal strings). */
type WithCounters<T, K extends keyof T> = Omit<T, K> & { [P in K]?: number | string };

export type PveNodeInfoInput = WithCounters<PveNodeInfoJson, 'mem' | 'maxMem' | 'disk' | 'maxDisk' | 'uptime'>;
export type PveGuestInfoInput = WithCounters<PveGuestInfoJson, 'maxMem' | 'uptime'>;

/** The JSON body of a snapshot (camelCase); `syncedAt` an RFC 3339 time, e.g. `new Date().toISOString()`. */
export type PveInventorySnapshotInput = Omit<PveInventorySnapshotJson, 'nodes' | 'guests'> & {
  nodes?: PveNodeInfoInput[];
  guests?: PveGuestInfoInput[];
};

/**
 * Parses a snapshot, or throws a ContractError naming what is wrong: MALFORMED_JSON,
 * PAYLOAD_TOO_LARGE (over MAX_INVENTORY_SNAPSHOT_BYTES) or VALIDATION_FAILED (including a node name or
 * a vmid given twice: the inventory is keyed by them).
 */
export function parsePveInventorySnapshot(raw: Uint8Array | string): PveInventorySnapshot {
  const snapshot = parseMessage(PveInventorySnapshotSchema, decodeSnapshotJson(raw));
  const violations = [
    ...duplicates(snapshot.nodes.map((n) => n.node), 'nodes', 'node'),
    ...duplicates(snapshot.guests.map((g) => String(g.vmid)), 'guests', 'vmid'),
  ];
  if (violations.length > 0) {
    const first = violations[0]!;
    throw new ContractError('VALIDATION_FAILED', `invalid ${PveInventorySnapshotSchema.name}: ${first.field}: ${first.message}`, violations);
  }
  return snapshot;
}

// decodeJson's bound is MAX_MESSAGE_BYTES (commands); a whole cluster's inventory may be larger.
function decodeSnapshotJson(raw: Uint8Array | string): unknown {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > MAX_INVENTORY_SNAPSHOT_BYTES) {
    throw new ContractError('PAYLOAD_TOO_LARGE', `snapshot of ${size} bytes is larger than the limit of ${MAX_INVENTORY_SNAPSHOT_BYTES} bytes`);
  }
  if (text.trim() === '') throw new ContractError('MALFORMED_JSON', 'the message is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContractError('MALFORMED_JSON', `malformed JSON: ${(error as Error).message}`);
  }
}

function duplicates(keys: readonly string[], list: string, field: string): Violation[] {
  const first = new Map<string, number>();
  const out: Violation[] = [];
  keys.forEach((key, i) => {
    const seen = first.get(key);
    if (seen === undefined) first.set(key, i);
    else out.push({ field: `${list}[${i}].${field}`, message: `${JSON.stringify(key)} is also ${list}[${seen}].${field}` });
  });
  return out;
}
