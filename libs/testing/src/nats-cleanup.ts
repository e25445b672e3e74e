import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/**
 * Deletes every stream of a test namespace (`<namespace>_*`), for tests whose services provisioned
 * streams this process never declared itself.
 */
export async function deleteNamespaceStreams(namespace: string, natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'): Promise<string[]> {
  if (!namespace) throw new Error('refusing to delete the streams of the empty (production) namespace');
  const nc = await connect({ servers: natsUrl.split(','), noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const names: string[] = [];
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(`${namespace}_`)) names.push(stream.config.name);
    }
    await Promise.all(names.map((name) => jsm.streams.delete(name)));
    return names;
  } finally {
    await nc.close();
  }
}
