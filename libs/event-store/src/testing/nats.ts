// Test plumbing: a fresh namespace per test file, so parallel files never share a stream.

import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { queuePolicies, Topology, type QueuePolicy } from '@vle/contracts';
import { connectNats } from '../connect.js';
import { deleteTopology, provisionTopology } from '../provisioning.js';

export const NATS_URL = 'nats://127.0.0.1:4222';

export function uniqueNamespace(prefix: string): string {
  return `${prefix}${process.pid}r${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestNats {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly policies: QueuePolicy[];
  /** Deletes the namespace's streams and closes the connection. */
  cleanup(): Promise<void>;
}

export async function provisionedNamespace(prefix: string): Promise<TestNats> {
  const nc = await connectNats(NATS_URL, `test-${prefix}`);
  const jsm = await jetstreamManager(nc);
  const topology = new Topology({ namespace: uniqueNamespace(prefix) });
  const policies = Object.values(queuePolicies());
  await provisionTopology(jsm, topology, policies);
  return {
    nc,
    jsm,
    topology,
    policies,
    async cleanup() {
      await deleteTopology(jsm, topology);
      await nc.close();
    },
  };
}
