// PostgreSQL helpers shared by services and scripts: the database of DATABASE_URL is created if
// missing (DESIGN §12), and a readiness check that keeps one small connection.

import pg from 'pg';
import type { HealthCheck } from './health.js';

/** Postgres identifier quoting: "name", with embedded quotes doubled. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The database name of a postgres:// URL. */
export function databaseNameOf(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error('DATABASE_URL names no database');
  return name;
}

/** The same server and credentials, database `postgres` (which always exists). */
export function maintenanceUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

// duplicate_database; and unique_violation on pg_database's index when two CREATEs race.
const ALREADY_EXISTS = new Set(['42P04', '23505']);

/**
 * Creates the database of `databaseUrl` unless it exists. Safe to run from many processes at once:
 * the loser of a race sees "already exists" and carries on. Returns true when it created it.
 */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const name = databaseNameOf(databaseUrl);
  const client = new pg.Client({ connectionString: maintenanceUrlOf(databaseUrl), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    return true;
  } catch (error) {
    if (ALREADY_EXISTS.has((error as { code?: string }).code ?? '')) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface PostgresCheck {
  readonly check: HealthCheck;
  close(): Promise<void>;
}

/** `SELECT 1` over a pool of one connection, for services that use PostgreSQL without TypeORM. */
export function createPostgresCheck(databaseUrl: string): PostgresCheck {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2_000 });
  // An idle client that loses its server emits 'error' on the pool; the next check reports it.
  pool.on('error', () => undefined);
  return {
    check: () => pool.query('SELECT 1'),
    close: () => pool.end(),
  };
}
