import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from './data-source.js';
import { openReadModel } from './read-model.module.js';

let database: TestDatabase;
const opened: DataSource[] = [];

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_commit');
});

afterAll(async () => {
  for (const db of opened) if (db.isInitialized) await db.destroy();
  await database?.drop();
});

/** synchronous_commit as each of `n` pooled connections (held at once) sees it. */
async function settingsOf(db: DataSource, n: number): Promise<string[]> {
  const runners = Array.from({ length: n }, () => db.createQueryRunner());
  try {
    await Promise.all(runners.map((r) => r.connect()));
    const rows = await Promise.all(runners.map((r) => r.query('SHOW synchronous_commit') as Promise<Array<{ synchronous_commit: string }>>));
    return rows.map((r) => r[0]!.synchronous_commit);
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
});
