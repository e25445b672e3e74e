// The mail log's PostgreSQL access: its own schema (`mail`) in DATABASE_URL's database, created if
// missing, migrated at boot (never synchronize), one migrator at a time.

import pg from 'pg';
import { DataSource } from 'typeorm';
import { createDatabaseIfMissing } from '@vle/service-kit';
import { MailLogEntity } from './mail-log.entity.js';
import { MailLog1765900000000 } from './migrations/1765900000000-mail-log.js';
import { MailLogSending1765900000001 } from './migrations/1765900000001-mail-log-sending.js';

export const MAIL_SCHEMA = 'mail';

// pg_advisory_lock key shared by every integration-worker replica.
const MIGRATION_LOCK = 7_203_118_002;

export function createMailLogDataSource(databaseUrl: string, poolSize = 5): DataSource {
  return new DataSource({
    type: 'postgres',
    url: databaseUrl,
    entities: [MailLogEntity],
    migrations: [MailLog1765900000000, MailLogSending1765900000001],
    migrationsTableName: 'mail_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    applicationName: 'vle-integration-worker',
    extra: { options: `-c search_path=${MAIL_SCHEMA}`, max: poolSize },
  });
}

/** Creates the database and schema if missing, connects and runs the pending migrations. */
export async function openMailLog(dataSource: DataSource, databaseUrl: string): Promise<void> {
  await createDatabaseIfMissing(databaseUrl);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${MAIL_SCHEMA}`);
  } catch (error) {
    // Two replicas creating it at once: the loser sees a unique violation on pg_namespace.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
  // TypeORM reads current_schema() once at connect: the schema exists by now.
  await dataSource.initialize();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
