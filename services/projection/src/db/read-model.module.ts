// The read model's DataSource for the whole app: the database is created if missing (DESIGN §12) and
// migrated before anything reads or projects; PostgreSQL joins the readiness checks.

import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDatabaseIfMissing, HealthRegistry, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { openReadModelSchema } from './data-source.js';

/** Connects and migrates; the app does not start on a database it cannot use. */
export async function openReadModel(config: Pick<ProjectionConfig, 'DATABASE_URL' | 'DATABASE_SCHEMA'>): Promise<DataSource> {
  await createDatabaseIfMissing(config.DATABASE_URL);
  return openReadModelSchema({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, asyncCommit: true });
}

@Injectable()
class ReadModelLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly db: DataSource,
    registry: HealthRegistry,
  ) {
    registry.register('postgres', () => db.query('SELECT 1'));
  }

  // After the projector stopped (onModuleDestroy): no transaction is in flight.
  async onApplicationShutdown(): Promise<void> {
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
    ReadModelLifecycle,
  ],
  exports: [DataSource],
})
export class ReadModelModule {}

