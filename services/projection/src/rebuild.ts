// `npm run projection:rebuild` (node services/projection/dist/rebuild.js [--keep-old] [--no-swap]):
// replays the whole event log into a fresh schema and swaps it in (see rebuild/rebuild-read-model.ts).
// Safe while the projection service runs. Reads the service's variables (DATABASE_URL,
// DATABASE_SCHEMA, NATS_URL, NATS_NAMESPACE).

import { Logger } from '@nestjs/common';
import { Topology } from '@vle/contracts';
import { connectNats } from '@vle/event-store';
import { createDatabaseIfMissing, loadConfig, natsClientOptionsOf, printFatal, ServiceLogger } from '@vle/service-kit';
import { projectionConfigSchema } from './config.js';
import { createJetStreamFeed } from './projector/commit-feed.js';
import { TASKS_PROJECTION } from './projector/projection-name.js';
import { rebuildReadModel } from './rebuild/rebuild-read-model.js';

async function main(argv: readonly string[]): Promise<void> {
  const unknown = argv.filter((a) => a !== '--keep-old' && a !== '--no-swap');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; usage: rebuild.js [--keep-old] [--no-swap]`);
  const config = loadConfig(projectionConfigSchema);
  Logger.overrideLogger(new ServiceLogger({ service: 'projection-rebuild', level: config.LOG_LEVEL, format: config.LOG_FORMAT }));
  const logger = new Logger('Rebuild');
  const topology = new Topology({ namespace: config.NATS_NAMESPACE, replicas: config.NATS_REPLICAS });
  await createDatabaseIfMissing(config.DATABASE_URL);
  // The projection's NATS user (NATS_USER, NATS_PASSWORD, TLS) reads the whole log too.
  const nc = await connectNats(config.NATS_URL, 'vle-tasks/projection-rebuild', { servers: config.NATS_URL.split(',').map((s) => s.trim()), ...natsClientOptionsOf(config) });
  try {
    const result = await rebuildReadModel({
      databaseUrl: config.DATABASE_URL,
      schema: config.DATABASE_SCHEMA,
      projection: TASKS_PROJECTION,
      feed: await createJetStreamFeed(nc, topology),
      taskIdOf: (subject) => topology.taskIdOf(subject),
      logger,
      swap: !argv.includes('--no-swap'),
      keepOld: argv.includes('--keep-old'),
    });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  printFatal('projection-rebuild', error);
  process.exitCode = 1;
});
