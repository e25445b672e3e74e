// The socket under every NATS connection of the services: one write per event-loop turn.
//
// nats.js (3.x) hands its outbound buffer to the transport at each microtask checkpoint
// (nats.deno#566 replaced a timer with queueMicrotask; the first Node client used setImmediate).
// A service that handles a burst of messages runs each through several awaits, so what one socket
// read causes leaves in many small writes: each is a write(2) on the socket and a read on the
// server's side. Measured in task-api at saturation, `writeBuffer` was a third of its CPU. This
// transport keeps the frames a turn produced and writes them together from setImmediate, which runs
// after the turn's I/O callbacks and every microtask they queued: the same bytes in the same order,
// in one write, at most one turn later. A turn that produces more than MAX_BATCH_BYTES writes at
// once, so a large burst does not wait in memory. As with nats.js's own transport, what is published
// just before close() without a flush() may be dropped; drain() and flush() write everything.

import { NatsConnectionImpl, setTransportFactory, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { NodeTransport, nodeResolveHost } from '@nats-io/transport-node/lib/node_transport.js';

/** Frames kept for one write at most; more is written at once. */
export const MAX_BATCH_BYTES = 256 * 1024;

export class TurnBatchingTransport extends NodeTransport {
  private frames: Uint8Array[] = [];
  private bytes = 0;
  private scheduled = false;
  /** Socket writes made, for tests and diagnostics. */
  writes = 0;

  override send(frame: Uint8Array): void {
    this.frames.push(frame);
    this.bytes += frame.length;
    if (this.bytes >= MAX_BATCH_BYTES) {
      this.writeKept();
      return;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.writeKept();
      });
    }
  }

  /** Writes what is kept and waits for it, then closes (the plain transport destroys the socket at once). */
  override async close(err?: Error): Promise<void> {
    const kept = this.take();
    if (kept) await this._send(kept).catch(() => undefined);
    return super.close(err);
  }

  private writeKept(): void {
    const kept = this.take();
    if (kept) super.send(kept);
  }

  private take(): Uint8Array | undefined {
    if (this.frames.length === 0) return undefined;
    const frames = this.frames;
    this.frames = [];
    this.bytes = 0;
    this.writes++;
    return frames.length === 1 ? frames[0]! : Buffer.concat(frames);
  }
}

/** transport-node's connect() with TurnBatchingTransport under the connection. */
export function connectBatched(options: NodeConnectionOptions): Promise<NatsConnection> {
  // The factory is module state of nats-core, read at every dial (reconnects too); transport-node's
  // own connect() sets its plain transport the same way.
  setTransportFactory({ factory: () => new TurnBatchingTransport(), dnsResolveFn: nodeResolveHost });
  return NatsConnectionImpl.connect(options);
}
