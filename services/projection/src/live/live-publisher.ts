// The leader's half of the live stream: after each batch it committed, it tells the replicas which
// Tasks changed (live-change.ts), but only while some replica has said, within LISTENER_TTL_MS, that it
// has live-stream clients: with no one watching (a pipeline at full speed, say) it costs nothing.

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import type { AppliedBatch, TaskChange } from '../projector/task.projector.js';
import { CHANGES_PER_MESSAGE, filterTaskOfState, MESSAGE_BYTES, type LiveChange } from './live-change.js';

/** How long a replica's word that it listens holds: three of its renewals (live-hub.ts). */
export const LISTENER_TTL_MS = 15_000;

/** How often a replica with live clients renews its word. */
export const LISTEN_EVERY_MS = LISTENER_TTL_MS / 3;

export class LivePublisher {
  private heardAt = Number.NEGATIVE_INFINITY;
  private readonly listeners: Subscription;
  private readonly encoder = new TextEncoder();

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly now: () => number = Date.now,
  ) {
    this.listeners = nc.subscribe(topology.liveListenersSubject, {
      callback: () => {
        this.heardAt = this.now();
      },
    });
  }

  get listening(): boolean {
    return this.now() - this.heardAt < LISTENER_TTL_MS;
  }

  /** After a batch committed (`from`: the checkpoint before it). Never throws. */
  published(from: number, applied: AppliedBatch): void {
    if (!this.listening) return;
    // In the order of their sequences: a client's Last-Event-ID then covers every change before it.
    const changes = [...applied.changedTasks].sort((a, b) => a.lastSeq - b.lastSeq);
    try {
      // A part covers (its from, its seq]: the parts of one batch follow each other without a gap.
      let partFrom = from;
      const parts = partsOf(changes);
      for (const [i, part] of parts.entries()) {
        const seq = i === parts.length - 1 ? applied.checkpoint : part.lastSeq;
        this.nc.publish(this.topology.liveChangesSubject, this.encoder.encode(`{"from":${partFrom},"seq":${seq},"changes":[${part.changes.join(',')}]}`));
        partFrom = seq;
      }
    } catch {
      // A closed connection: the replicas find the gap and read it from the read model.
    }
  }

  close(): void {
    this.listeners.unsubscribe();
  }
}

/** A change as JSON; with its state before only when that fits in a message. */
function changeJson(change: TaskChange): string {
  const plain: LiveChange = { taskId: change.taskId, lastSeq: change.lastSeq };
  if (!change.before) return JSON.stringify(plain);
  const json = JSON.stringify({ ...plain, before: filterTaskOfState(change.before) });
  return Buffer.byteLength(json) <= MESSAGE_BYTES ? json : JSON.stringify({ ...plain, beforeUnknown: true });
}

/**
 * The changes (in sequence order) as JSON, in parts of at most CHANGES_PER_MESSAGE changes and
 * MESSAGE_BYTES bytes; one empty part for no change, so that the checkpoint still moves.
 */
function partsOf(changes: readonly TaskChange[]): Array<{ lastSeq: number; changes: string[] }> {
  const parts: Array<{ lastSeq: number; changes: string[] }> = [];
  let current: { lastSeq: number; changes: string[] } | undefined;
  let bytes = 0;
  for (const change of changes) {
    const json = changeJson(change);
    const size = Buffer.byteLength(json) + 1;
    if (!current || current.changes.length === CHANGES_PER_MESSAGE || bytes + size > MESSAGE_BYTES) {
      current = { lastSeq: change.lastSeq, changes: [] };
      parts.push(current);
      bytes = 0;
    }
    current.changes.push(json);
    current.lastSeq = change.lastSeq;
    bytes += size;
  }
  return parts.length === 0 ? [{ lastSeq: 0, changes: [] }] : parts;
}
