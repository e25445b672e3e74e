// Publishes a Proxmox inventory snapshot (the result of a node info sync) for the projection. A
// snapshot is not Task history: it goes to PVE_INVENTORY, never to TASK_EVENTS (DESIGN §3).

import type { JetStreamClient } from '@nats-io/jetstream';
import { parsePveInventorySnapshot, pveInventoryMessageId, type PveInventorySnapshotInput, type Topology } from '@vle/contracts';

/**
 * Publishes `snapshot` on the inventory subject and waits for the stream's ack. Throws a
 * ContractError (code VALIDATION_FAILED, MALFORMED_JSON or PAYLOAD_TOO_LARGE) for a snapshot the
 * projection would refuse, before publishing it; throws the client's error when NATS does not store it
 * (the job then retries). Published twice within the stream's duplicate window, it is stored once.
 */
export async function publishPveInventory(js: JetStreamClient, topology: Topology, snapshot: PveInventorySnapshotInput): Promise<void> {
  const body = JSON.stringify(snapshot);
  // The same check as the reader's: a bad snapshot fails its job here instead of being dead-lettered later.
  parsePveInventorySnapshot(body);
  const msgID = pveInventoryMessageId(snapshot.subTaskId || snapshot.taskId || '', String(snapshot.syncedAt));
  await js.publish(topology.pveInventorySubject, body, { msgID });
}
