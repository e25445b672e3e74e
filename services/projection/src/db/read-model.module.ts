// The read model's DataSource for the whole app: the database is created if missing (DESIGN §12) and
// migrated before anything reads or projects; PostgreSQL joins the readiness checks.

import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDatabaseIfMissing, HealthRegistry, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { createReadModelDataSource, openReadModelSchema } from './data-source.js';

/**
 * The DataSource of the query API's reads: connections of their own, each statement bounded by
 * PROJECTION_QUERY_TIMEOUT_MS, so that a costly query can neither run on nor take the projector's,
 * and by PROJECTION_QUERY_PARALLEL_WORKERS.
 */
export const QUERY_DB = Symbol('QUERY_DB');

/** A pool for the reads on the read model the main DataSource migrated. */
export async function openQueryDb(config: Pick<ProjectionConfig, 'DATABASE_URL' | 'DATABASE_SCHEMA' | 'PROJECTION_QUERY_TIMEOUT_MS' | 'PROJECTION_QUERY_PARALLEL_WORKERS'>): Promise<DataSource> {
  const db = createReadModelDataSource({
    databaseUrl: config.DATABASE_URL,
    schema: config.DATABASE_SCHEMA,
    applicationName: 'vle-projection-queries',
    statementTimeoutMs: config.PROJECTION_QUERY_TIMEOUT_MS,
    parallelWorkers: config.PROJECTION_QUERY_PARALLEL_WORKERS,
  });
  return db.initialize();
}

/** Connects and migrates; the app does not start on a database it cannot use. */
export async function openReadModel(config: Pick<ProjectionConfig, 'DATABASE_URL' | 'DATABASE_SCHEMA'>): Promise<DataSource> {
  await createDatabaseIfMissing(config.DATABASE_URL);
  return openReadModelSchema({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, asyncCommit: true });
}

@Injectable()
class ReadModelLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly db: DataSource,
    @Inject(QUERY_DB) private readonly queryDb: DataSource,
    registry: HealthRegistry,
  ) {
    registry.register('postgres', () => db.query('SELECT 1'));
  }

  // After the projector stopped (onModuleDestroy): no transaction is in flight.
  async onApplicationShutdown(): Promise<void> {
    if (this.queryDb.isInitialized) await this.queryDb.destroy();
    if (this.db.isInitialized) await this.db.destroy();
  }
}

@Module({
  providers: [
    {
      provide: DataSource,
      inject: [SERVICE_CONFIG],
      useFactory: (config: ProjectionConfig) => openReadModel(config),
    },
    // After the main one: its migrations have run.
    { provide: QUERY_DB, inject: [SERVICE_CONFIG, DataSource], useFactory: (config: ProjectionConfig) => openQueryDb(config) },
    ReadModelLifecycle,
  ],
  exports: [DataSource, QUERY_DB],
})
export class ReadModelModule {}

