// The read model's PostgreSQL access. Every table name is unqualified and every connection of the pool
// sets `search_path` to the read-model schema, so that the same code (queries, projector, migrations)
// works on the live schema or on a rebuild schema next to it, and an atomic schema rename swaps them.

import pg from 'pg';
import { DataSource } from 'typeorm';
import { READ_MODEL_ENTITIES } from './entities/index.js';
import { InitialReadModel1763805600000 } from './migrations/1763805600000-initial-read-model.js';
import { PveInventory1764374400000 } from './migrations/1764374400000-pve-inventory.js';
import { TaskStatusReason1765000000000 } from './migrations/1765000000000-task-status-reason.js';
import { SubTaskExecutions1766500000000 } from './migrations/1766500000000-sub-task-executions.js';
import { SubTaskStates1767000000000 } from './migrations/1767000000000-sub-task-states.js';
import { HotRowUpdates1767100000000 } from './migrations/1767100000000-hot-row-updates.js';
import { SubTaskStateColumns1767200000000 } from './migrations/1767200000000-sub-task-state-columns.js';
import { TaskPinned1767300000000 } from './migrations/1767300000000-task-pinned.js';
import { ObjectIndexes1767400000000 } from './migrations/1767400000000-object-indexes.js';
import { NameStatistics1767500000000 } from './migrations/1767500000000-name-statistics.js';
import { UpdatedMinute1767600000000 } from './migrations/1767600000000-updated-minute.js';

export const READ_MODEL_MIGRATIONS = [
  InitialReadModel1763805600000,
  PveInventory1764374400000,
  TaskStatusReason1765000000000,
  SubTaskExecutions1766500000000,
  SubTaskStates1767000000000,
  HotRowUpdates1767100000000,
  SubTaskStateColumns1767200000000,
  TaskPinned1767300000000,
  ObjectIndexes1767400000000,
  NameStatistics1767500000000,
  UpdatedMinute1767600000000,
];

/** The schema of the live read model unless DATABASE_SCHEMA says otherwise. */
export const DEFAULT_READ_MODEL_SCHEMA = 'projection';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema) || schema === 'public' || schema.startsWith('pg_')) {
    throw new Error(`invalid read-model schema "${schema}": lower-case letters, digits and '_', not public or pg_*`);
  }
}

export interface ReadModelDataSourceOptions {
  readonly databaseUrl: string;
  readonly schema: string;
  readonly poolSize?: number;
  readonly applicationName?: string;
  /**
   * Commit without waiting for the WAL flush (`synchronous_commit = off`): the projector's batches,
   * whose checkpoint commits with their rows. A PostgreSQL crash can lose the last commits of both
   * together (at most 3 × wal_writer_delay); the projection then reads the log again from the checkpoint
   * that survived, as after any crash. Never for a schema swap (the rebuild): its answer must hold.
   */
  readonly asyncCommit?: boolean;
  /** PostgreSQL `statement_timeout` of every connection (the query API's); none when absent. */
  readonly statementTimeoutMs?: number;
  /** PostgreSQL `max_parallel_workers_per_gather` of every connection; the server's when absent. */
  readonly parallelWorkers?: number;
}

/** The session settings of a pool's connections, as libpq's `options` (`-c name=value ...`). */
function sessionOptions(options: ReadModelDataSourceOptions): string {
  const settings: Record<string, string | number | undefined> = {
    // `public` stays on the path for the pg_trgm operator classes.
    search_path: `${options.schema},public`,
    synchronous_commit: options.asyncCommit ? 'off' : undefined,
    statement_timeout: options.statementTimeoutMs,
    max_parallel_workers_per_gather: options.parallelWorkers,
  };
  return Object.entries(settings)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `-c ${name}=${value}`)
    .join(' ');
}

export function createReadModelDataSource(options: ReadModelDataSourceOptions): DataSource {
  assertSchemaName(options.schema);
  return new DataSource({
    type: 'postgres',
    url: options.databaseUrl,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    migrationsTransactionMode: 'all',
    synchronize: false,
    migrationsRun: false,
    applicationName: options.applicationName ?? 'vle-projection',
    extra: { options: sessionOptions(options), max: options.poolSize ?? 10 },
  });
}

/**
 * The pg pool under a read-model DataSource (its connections, its search_path): for statements sent
 * by name (prepared once per connection), which DataSource.query cannot send.
 */
export function poolOf(db: DataSource): pg.Pool {
  return (db.driver as unknown as { master: pg.Pool }).master;
}

// pg_advisory_lock key shared by every replica and the rebuild script: one migrator at a time.
const MIGRATION_LOCK = 7_203_118_001;

/**
 * Creates the schema and runs the pending migrations, one process at a time (replicas boot together).
 * Returns the names of the migrations it ran.
 */
export async function migrateReadModel(dataSource: DataSource, schema: string): Promise<string[]> {
  assertSchemaName(schema);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    const ran = await dataSource.runMigrations({ transaction: 'all' });
    return ran.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/**
 * Creates the schema (dropping it first when `fresh`) before a DataSource connects to it: TypeORM
 * reads current_schema() once at connect time.
 */
export async function createSchema(databaseUrl: string, schema: string, options: { fresh?: boolean } = {}): Promise<void> {
  assertSchemaName(schema);
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    if (options.fresh) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    // Two replicas creating it at once: the loser sees a unique violation on pg_namespace.
    if ((error as { code?: string }).code !== '23505') throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A connected, migrated read model in `schema` (its database must exist). */
export async function openReadModelSchema(options: ReadModelDataSourceOptions & { fresh?: boolean }): Promise<DataSource> {
  await createSchema(options.databaseUrl, options.schema, { fresh: options.fresh });
  const db = createReadModelDataSource(options);
  await db.initialize();
  try {
    await migrateReadModel(db, options.schema);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
