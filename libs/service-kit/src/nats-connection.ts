// One NATS connection per process (DESIGN §2: stateless services, any number of replicas), shared by
// every Nest app of the process: under SERVICE_ROLE=all five apps hold one connection. The connection
// is counted: each app releases it on shutdown and the last release drains and closes it.
// Connecting (options, the NATS_UNREACHABLE error) is @vle/event-store's connectNats.

import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@nestjs/common';
import { connectNats } from '@vle/event-store';
import type { NatsClientOptions } from './nats-client-options.js';

interface SharedConnection {
  readonly connection: Promise<NatsConnection>;
  users: number;
}

const shared = new Map<string, SharedConnection>();

/** One connection per server list and user (SERVICE_ROLE=all: one for every service of the process). */
function keyOf(url: string, client?: NatsClientOptions): string {
  return `${client?.user ?? ''}@${url}`;
}

async function open(url: string, name: string, logger?: Logger, client?: NatsClientOptions): Promise<NatsConnection> {
  // Fails fast (NatsUnreachable) at boot: the orchestrator restarts us, and `npm start` checks NATS
  // beforehand. Once connected the client reconnects forever; readiness reports an outage meanwhile.
  const nc = await connectNats(url, name, { servers: url.split(',').map((s) => s.trim()), ...client });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') logger?.warn(`NATS disconnected from ${status.server}`);
      else if (status.type === 'reconnect') logger?.log(`NATS reconnected to ${status.server}`);
      else if (status.type === 'error') logger?.error(`NATS error: ${status.error.message}`);
    }
  })();
  return nc;
}
/** The process's connection to `url`, opened on first use. Pair every call with releaseNatsConnection. */
export function acquireNatsConnection(url: string, name: string, logger?: Logger, client?: NatsClientOptions): Promise<NatsConnection> {
  const key = keyOf(url, client);
  let entry = shared.get(key);
  if (!entry) {
    const connection = open(url, name, logger, client);
    entry = { connection, users: 0 };
    shared.set(key, entry);
    // A failed connect is not cached: the next boot attempt tries again.
    connection.catch(() => shared.delete(key));
  }
  entry.users += 1;
  return entry.connection;
}

/** Drains and closes the connection when its last user releases it. */
export async function releaseNatsConnection(url: string, client?: NatsClientOptions): Promise<void> {
  const key = keyOf(url, client);
  const entry = shared.get(key);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  shared.delete(key);
  const nc = await entry.connection.catch(() => undefined);
  if (nc && !nc.isClosed()) {
    await nc.drain().catch(() => nc.close());
  }
}
