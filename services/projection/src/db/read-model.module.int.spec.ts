import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from './data-source.js';
import { openQueryDb, openReadModel } from './read-model.module.js';

let database: TestDatabase;
const opened: DataSource[] = [];

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_commit');
});

afterAll(async () => {
  for (const db of opened) if (db.isInitialized) await db.destroy();
  await database?.drop();
});

/** A setting (synchronous_commit by default) as each of `n` pooled connections (held at once) sees it. */
async function settingsOf(db: DataSource, n: number, setting = 'synchronous_commit'): Promise<string[]> {
  const runners = Array.from({ length: n }, () => db.createQueryRunner());
  try {
    await Promise.all(runners.map((r) => r.connect()));
    const rows = await Promise.all(runners.map((r) => r.query(`SHOW ${setting}`) as Promise<Array<Record<string, string>>>));
    return rows.map((r) => r[0]![setting]!);
  } finally {
    await Promise.all(runners.map((r) => r.release()));
  }
}

describe('the read model connections', () => {
  it("commit the projector's batches without waiting for the WAL flush, on every pooled connection", async () => {
    const db = await openReadModel({ DATABASE_URL: database.url, DATABASE_SCHEMA: 'projection' });
    opened.push(db);
    expect(await settingsOf(db, 3)).toEqual(['off', 'off', 'off']);
  });

  it('wait for it everywhere else (a rebuild and its schema swap)', async () => {
    const db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection_other' });
    opened.push(db);
    expect(await settingsOf(db, 2)).toEqual(['on', 'on']);
  });

  it("bound the query API's reads, on every pooled connection: the statement timeout, and no parallel workers at 0 (the default)", async () => {
    const db = await openQueryDb({ DATABASE_URL: database.url, DATABASE_SCHEMA: 'projection', PROJECTION_QUERY_TIMEOUT_MS: 1500, PROJECTION_QUERY_PARALLEL_WORKERS: 0 });
    opened.push(db);
    expect(await settingsOf(db, 3, 'statement_timeout')).toEqual(['1500ms', '1500ms', '1500ms']);
    expect(await settingsOf(db, 3, 'max_parallel_workers_per_gather')).toEqual(['0', '0', '0']);
    expect(await settingsOf(db, 1, 'search_path')).toEqual(['projection,public']);
  });

  it('let an operator give the reads parallel workers', async () => {
    const db = await openQueryDb({ DATABASE_URL: database.url, DATABASE_SCHEMA: 'projection', PROJECTION_QUERY_TIMEOUT_MS: 2000, PROJECTION_QUERY_PARALLEL_WORKERS: 2 });
    opened.push(db);
    expect(await settingsOf(db, 2, 'max_parallel_workers_per_gather')).toEqual(['2', '2']);
  });
});

describe('the read model migrations', () => {
  it("keep 1,000 histogram entries of a Task's name, for the estimates of the name filter (migration NameStatistics)", async () => {
    const db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection_stats' });
    opened.push(db);
    const rows = (await db.query(`SELECT attstattarget FROM pg_attribute WHERE attrelid = 'projection_stats.tasks'::regclass AND attname = 'name'`)) as Array<{ attstattarget: number }>;
    expect(rows).toEqual([{ attstattarget: 1000 }]);
  });
});
