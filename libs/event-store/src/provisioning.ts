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

export async function provisionTopology(jsm: JetStreamManager, topology: Topology, policies: readonly QueuePolicy[]): Promise<void> {
  await Promise.all(topology.streams.map((stream) => ensureStream(jsm, stream)));
  await Promise.all([
    ensureConsumer(jsm, topology.commandStream.name, topology.commandConsumer),
    ensureConsumer(jsm, topology.pveInventoryStream.name, topology.pveInventoryConsumer),
    ...policies.map((policy) => ensureConsumer(jsm, topology.jobStream.name, topology.jobConsumer(policy))),
    ...topology.retiredConsumers.map(({ stream, durable }) => deleteConsumer(jsm, stream, durable)),
  ]);
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
