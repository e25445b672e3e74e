// A service that may not provision (NATS_PROVISION=false) on a namespace nobody has provisioned yet:
// it is not ready, says what it waits for, creates nothing, and starts once task-api's provisioning ran.

import { jetstreamManager } from '@nats-io/jetstream';
import { queuePolicies, Topology } from '@vle/contracts';
import { connectNats, deleteTopology, durableConsumersOf, missingTopology, provisionTopology } from '@vle/event-store';
import { testNamespace, waitFor } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { HealthRegistry } from './health.js';
import { TopologyGate } from './topology-gate.js';

const nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'test-topology-gate');
const jsm = await jetstreamManager(nc);
const topology = new Topology({ namespace: testNamespace('gate') });
const policies = Object.values(queuePolicies());
const consumer = durableConsumersOf(topology, policies).find((c) => c.stream === topology.jobStream.name)!;
const needs = { streams: topology.streams, consumers: [consumer] };

afterAll(async () => {
  await deleteTopology(jsm, topology);
  await nc.close();
});

describe('TopologyGate', () => {
  it('with NATS_PROVISION=false waits, not ready and naming what is missing, creates nothing, and starts once the topology exists', async () => {
    const registry = new HealthRegistry();
    let started = 0;
    let provisioned = 0;
    const wait = await new TopologyGate(nc, registry, false).open({ name: 'worker', needs, provision: async () => void (provisioned += 1), start: async () => void (started += 1) });
    const report = await registry.readiness();
    expect(report.status).toBe('error');
    expect(report.checks['topology:worker']!.error).toContain(`stream ${topology.eventStream.name}`);
    expect(report.checks['topology:worker']!.error).toContain(`consumer ${consumer.consumer.durable_name}`);
    expect(started).toBe(0);
    expect(await missingTopology(jsm, needs)).toHaveLength(topology.streams.length + 1);

    await provisionTopology(jsm, topology, policies);
    await waitFor(() => started === 1 || undefined, { description: 'the gated part to start', timeoutMs: 10_000 });
    expect((await registry.readiness()).status).toBe('ok');
    expect(provisioned).toBe(0);
    await wait.close();
  });

  it('starts at once when the topology exists, and provisions first with NATS_PROVISION=true', async () => {
    const order: string[] = [];
    const gated = (gate: TopologyGate) => gate.open({ name: 'part', needs, provision: async () => void order.push('provision'), start: async () => void order.push('start') });
    await gated(new TopologyGate(nc, new HealthRegistry(), false));
    expect(order).toEqual(['start']);
    const registry = new HealthRegistry();
    await gated(new TopologyGate(nc, registry, true));
    expect(order).toEqual(['start', 'provision', 'start']);
    expect((await registry.readiness()).status).toBe('ok');
  });
});
