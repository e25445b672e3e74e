import { AckPolicy, jetstreamManager, type ConsumerConfig, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { queuePolicies, Topology, type DeclaredConsumer, type DeclaredStream, type QueuePolicy } from '@vle/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats } from './connect.js';
import { deleteTopology, provisionTopology } from './provisioning.js';
import { NATS_URL, uniqueNamespace } from './testing/nats.js';

/** Every field we declare, compared one by one with what the server reports. */
function expectDeclared(live: StreamConfig | ConsumerConfig, declared: DeclaredStream | DeclaredConsumer): void {
  const entries = Object.entries(declared);
  expect(entries.length).toBeGreaterThan(5);
  for (const [field, value] of entries) {
    expect({ field, value: (live as unknown as Record<string, unknown>)[field] }).toEqual({ field, value });
  }
}

async function expectLiveEqualsDeclared(jsm: JetStreamManager, topology: Topology, policies: QueuePolicy[]): Promise<void> {
  for (const stream of topology.streams) {
    expectDeclared((await jsm.streams.info(stream.name)).config, stream);
  }
  const consumers: [string, DeclaredConsumer][] = [
    [topology.commandStream.name, topology.commandConsumer],
    [topology.pveInventoryStream.name, topology.pveInventoryConsumer],
    ...policies.map((policy): [string, DeclaredConsumer] => [topology.jobStream.name, topology.jobConsumer(policy)]),
  ];
  for (const [stream, consumer] of consumers) {
    expectDeclared((await jsm.consumers.info(stream, consumer.durable_name!)).config, consumer);
  }
}

/** The same names with other values, as a later release of the contract could declare them. */
class ChangedTopology extends Topology {
  override get eventStream(): DeclaredStream {
    return { ...super.eventStream, description: 'changed description', max_msg_size: 256 * 1024, duplicate_window: 5 * 60 * 1e9 };
  }

  override get commandConsumer(): DeclaredConsumer {
    return { ...super.commandConsumer, max_ack_pending: 777, ack_wait: 45 * 1e9 };
  }
}

const ROUNDS = 5;

describe('provisionTopology', () => {
  const namespace = uniqueNamespace('prov');
  const topology = new Topology({ namespace });
  const policies = Object.values(queuePolicies());
  const connections: NatsConnection[] = [];
  let jsm: JetStreamManager;

  beforeAll(async () => {
    const nc = await connectNats(NATS_URL, 'provisioning-test');
    connections.push(nc);
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await deleteTopology(jsm, topology);
    await Promise.all(connections.map((nc) => nc.close()));
  });

  it('creates every declared stream and consumer with exactly the declared config', async () => {
    await provisionTopology(jsm, topology, policies);
    await expectLiveEqualsDeclared(jsm, topology, policies);
  });

  it('is idempotent', async () => {
    const before = await jsm.streams.info(topology.eventStream.name);
    await provisionTopology(jsm, topology, policies);
    const after = await jsm.streams.info(topology.eventStream.name);
    expect(after.created).toEqual(before.created);
    await expectLiveEqualsDeclared(jsm, topology, policies);
  });

  it('updates a stream and consumers whose declared values changed', async () => {
    const changed = new ChangedTopology({ namespace });
    const changedPolicies = Object.values(queuePolicies(9));
    await provisionTopology(jsm, changed, changedPolicies);
    await expectLiveEqualsDeclared(jsm, changed, changedPolicies);
    expect((await jsm.consumers.info(changed.jobStream.name, changed.jobConsumer(changedPolicies[0]!).durable_name!)).config.max_deliver).toBe(11);
    // And back: a rollback of the contract is an update too.
    await provisionTopology(jsm, topology, policies);
    await expectLiveEqualsDeclared(jsm, topology, policies);
  });

  it('survives several processes provisioning a fresh namespace at the same time', async () => {
    const managers = await Promise.all(
      Array.from({ length: 4 }, async (_, i) => {
        const nc = await connectNats(NATS_URL, `provisioning-race-${i}`);
        connections.push(nc);
        return jetstreamManager(nc);
      }),
    );
    // Races are timing-dependent: a few rounds make the create/create and create/update ones likely.
    for (let round = 0; round < ROUNDS; round++) {
      const fresh = new Topology({ namespace: uniqueNamespace('provrace') });
      const changed = new ChangedTopology({ namespace: fresh.namespace });
      try {
        // Half of them run another release of the contract: each run must succeed, whichever config wins.
        await Promise.all(managers.map((m, i) => provisionTopology(m, i % 2 ? changed : fresh, policies)));
        await provisionTopology(jsm, fresh, policies);
        await expectLiveEqualsDeclared(jsm, fresh, policies);
      } finally {
        await deleteTopology(jsm, fresh);
      }
    }
  });

  it('deletes the consumers an earlier release declared and this one retired (the dispatcher), and nothing else', async () => {
    await provisionTopology(jsm, topology, policies);
    const [retired] = topology.retiredConsumers;
    await jsm.consumers.add(retired!.stream, { durable_name: retired!.durable, ack_policy: AckPolicy.Explicit });
    await provisionTopology(jsm, topology, policies);
    await expect(jsm.consumers.info(retired!.stream, retired!.durable)).rejects.toMatchObject({ code: 10014 });
    await expectLiveEqualsDeclared(jsm, topology, policies);
    // Already gone: nothing to do, no error.
    await provisionTopology(jsm, topology, policies);
  });

  it('deleteTopology removes every stream and tolerates streams already gone', async () => {
    const gone = new Topology({ namespace: uniqueNamespace('provdel') });
    await provisionTopology(jsm, gone, policies.slice(0, 1));
    await jsm.streams.delete(gone.jobStream.name);
    await deleteTopology(jsm, gone);
    const names: string[] = [];
    for await (const name of jsm.streams.names()) names.push(name);
    expect(names.filter((name) => name.startsWith(`${gone.namespace}_`))).toEqual([]);
  });

  it('names the overlap when another stream already holds the subjects', async () => {
    const clash = new Topology({ namespace: uniqueNamespace('provclash') });
    await jsm.streams.add({ name: `${clash.namespace}_SQUATTER`, subjects: [clash.allEventsSubject] });
    try {
      await expect(provisionTopology(jsm, clash, [])).rejects.toMatchObject({
        code: 'PROVISIONING_FAILED',
        message: `cannot provision stream ${clash.eventStream.name}: subjects overlap with an existing stream`,
      });
    } finally {
      await jsm.streams.delete(`${clash.namespace}_SQUATTER`);
      await deleteTopology(jsm, clash);
    }
  });

  it('names the stream and the reason when a declared change is not allowed', async () => {
    class Immutable extends Topology {
      override get eventStream(): DeclaredStream {
        return { ...super.eventStream, storage: 'memory' as DeclaredStream['storage'] };
      }
    }
    await expect(provisionTopology(jsm, new Immutable({ namespace }), policies)).rejects.toMatchObject({
      code: 'PROVISIONING_FAILED',
      message: expect.stringContaining(`stream ${topology.eventStream.name}`),
    });
  });
});
