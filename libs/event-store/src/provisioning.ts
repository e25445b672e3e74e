// Creates or updates the streams and durable consumers declared in libs/contracts. Every service
// runs it at boot, so several processes may run it at once: each step is an upsert that absorbs
// the races of a concurrent create, update or delete by reading the live state again.

import { JetStreamApiError, type JetStreamManager } from '@nats-io/jetstream';
import type { DeclaredConsumer, DeclaredStream, QueuePolicy, Topology } from '@vle/contracts';
import { ProvisioningFailed } from './errors.js';

/** JetStream API error codes met while provisioning (nats-server/server/errors.json). */
const ApiCode = {
  StreamNotFound: 10059,
  StreamNameInUse: 10058,
  /** Also what a create racing another create of the same stream may get. */
  StreamSubjectsOverlap: 10065,
  ConsumerNotFound: 10014,
  ConsumerNameInUse: 10013,
  /** 2.10+: a create of an existing consumer with another config (2.9 updates it instead). */
  ConsumerAlreadyExists: 10148,
} as const;

/** Each race costs one round trip; more than a few in a row means something else is wrong. */
const MAX_RACE_ROUNDS = 5;

/**
 * Every stream and durable consumer (the scheduler's and the projection's included), so that services
 * whose NATS user may not create them (NATS_PROVISION=false) find them.
 */
export async function provisionTopology(jsm: JetStreamManager, topology: Topology, policies: readonly QueuePolicy[]): Promise<void> {
  await Promise.all(topology.streams.map((stream) => ensureStream(jsm, stream)));
  await Promise.all([
    ...durableConsumersOf(topology, policies).map(({ stream, consumer }) => ensureConsumer(jsm, stream, consumer)),
    ...topology.retiredConsumers.map(({ stream, durable }) => deleteConsumer(jsm, stream, durable)),
  ]);
}

/** A durable consumer with the stream it reads. */
export interface ConsumerOf {
  readonly stream: string;
  readonly consumer: DeclaredConsumer;
}

export function durableConsumersOf(topology: Topology, policies: readonly QueuePolicy[]): ConsumerOf[] {
  return [
    { stream: topology.commandStream.name, consumer: topology.commandConsumer },
    { stream: topology.pveInventoryStream.name, consumer: topology.pveInventoryConsumer },
    { stream: topology.eventStream.name, consumer: topology.deadlineRecorderConsumer },
    { stream: topology.deadlineStream.name, consumer: topology.deadlineConsumer },
    ...policies.map((policy) => ({ stream: topology.jobStream.name, consumer: topology.jobConsumer(policy) })),
  ];
}

/** What a service reads or writes: streams by name, durable consumers by stream and name. */
export interface TopologyNeeds {
  readonly streams: readonly DeclaredStream[];
  readonly consumers: readonly ConsumerOf[];
}

/**
 * The streams and consumers of `needs` that do not exist yet, by name (only `STREAM.INFO` and
 * `CONSUMER.INFO` calls: what a restricted user may make). Throws for any other failure.
 */
export async function missingTopology(jsm: JetStreamManager, needs: TopologyNeeds): Promise<string[]> {
  const streams = await Promise.all(
    needs.streams.map(async (stream) => {
      try {
        await jsm.streams.info(stream.name);
        return undefined;
      } catch (err) {
        if (isApiError(err, ApiCode.StreamNotFound)) return `stream ${stream.name}`;
        throw err;
      }
    }),
  );
  const consumers = await Promise.all(
    needs.consumers.map(async ({ stream, consumer }) => {
      if (streams.includes(`stream ${stream}`)) return `consumer ${consumer.durable_name}`;
      try {
        await jsm.consumers.info(stream, consumer.durable_name!);
        return undefined;
      } catch (err) {
        if (isApiError(err, ApiCode.ConsumerNotFound) || isApiError(err, ApiCode.StreamNotFound)) return `consumer ${consumer.durable_name}`;
        throw err;
      }
    }),
  );
  return [...streams, ...consumers].filter((name): name is string => name !== undefined);
}

/** Deletes a durable consumer if it exists (another process may be deleting it too). */
async function deleteConsumer(jsm: JetStreamManager, stream: string, durable: string): Promise<void> {
  try {
    await jsm.consumers.delete(stream, durable);
  } catch (err) {
    if (!isApiError(err, ApiCode.ConsumerNotFound) && !isApiError(err, ApiCode.StreamNotFound)) throw new ProvisioningFailed(`the deletion of retired consumer ${durable} on stream ${stream}`, err);
  }
}

/** Deletes every stream of the topology (and so its consumers); for tests and namespaces being torn down. */
export async function deleteTopology(jsm: JetStreamManager, topology: Topology): Promise<void> {
  await Promise.all(
    topology.streams.map(async (stream) => {
      try {
        await jsm.streams.delete(stream.name);
      } catch (err) {
        if (!isApiError(err, ApiCode.StreamNotFound)) throw new ProvisioningFailed(`the deletion of stream ${stream.name}`, err);
      }
    }),
  );
}

export async function ensureStream(jsm: JetStreamManager, declared: DeclaredStream): Promise<void> {
  const what = `stream ${declared.name}`;
  for (let round = 1; ; round++) {
    let createError: unknown;
    try {
      // Identical config: a no-op success. Another config: StreamNameInUse, so update it.
      await jsm.streams.add({ ...declared });
      return;
    } catch (err) {
      if (!isApiError(err, ApiCode.StreamNameInUse) && !isApiError(err, ApiCode.StreamSubjectsOverlap)) throw new ProvisioningFailed(what, err);
      createError = err;
    }
    try {
      await jsm.streams.update(declared.name, { ...declared });
      return;
    } catch (err) {
      // Not found: deleted since our create, or a real overlap with another stream; try again, then tell.
      if (!isApiError(err, ApiCode.StreamNotFound) || round >= MAX_RACE_ROUNDS) {
        throw new ProvisioningFailed(what, isApiError(err, ApiCode.StreamNotFound) ? createError : err);
      }
    }
  }
}

export async function ensureConsumer(jsm: JetStreamManager, stream: string, declared: DeclaredConsumer): Promise<void> {
  const what = `consumer ${declared.durable_name} on stream ${stream}`;
  const durable = declared.durable_name;
  if (!durable) throw new ProvisioningFailed(what, new Error('a declared consumer needs a durable_name'));
  for (let round = 1; ; round++) {
    try {
      // nats-server 2.9 treats a create of an existing durable as an update; 2.10+ refuses a changed config.
      await jsm.consumers.add(stream, { ...declared });
      return;
    } catch (err) {
      const exists = isApiError(err, ApiCode.ConsumerAlreadyExists) || isApiError(err, ApiCode.ConsumerNameInUse);
      if (!exists) throw new ProvisioningFailed(what, err);
    }
    try {
      await jsm.consumers.update(stream, durable, { ...declared });
      return;
    } catch (err) {
      if (!isApiError(err, ApiCode.ConsumerNotFound) || round >= MAX_RACE_ROUNDS) throw new ProvisioningFailed(what, err);
    }
  }
}

function isApiError(err: unknown, code: number): boolean {
  return err instanceof JetStreamApiError && err.code === code;
}
