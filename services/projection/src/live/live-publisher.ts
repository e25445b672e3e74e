// The leader's half of the live stream: after each batch it committed, it tells the replicas which
// Tasks changed (live-change.ts), but only while some replica has said, within LISTENER_TTL_MS, that it
// has live-stream clients: with no one watching (a pipeline at full speed, say) it costs nothing.

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import type { AppliedBatch } from '../projector/task.projector.js';
import { CHANGES_PER_MESSAGE, filterTaskOfState, type LiveChanges } from './live-change.js';

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
      for (let i = 0; i === 0 || i < changes.length; i += CHANGES_PER_MESSAGE) {
        const part = changes.slice(i, i + CHANGES_PER_MESSAGE);
        const last = i + CHANGES_PER_MESSAGE >= changes.length;
        const seq = last ? applied.checkpoint : part.at(-1)!.lastSeq;
        const message: LiveChanges = {
          from: partFrom,
          seq,
          changes: part.map((c) => ({ taskId: c.taskId, lastSeq: c.lastSeq, ...(c.before ? { before: filterTaskOfState(c.before) } : {}) })),
        };
        this.nc.publish(this.topology.liveChangesSubject, this.encoder.encode(JSON.stringify(message)));
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
