import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabaseIfMissing, maintenanceUrlOf } from './database.js';

const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vle_tasks';
const name = `vle_kit_${process.pid}_${randomBytes(3).toString('hex')}`;
const url = Object.assign(new URL(server), { pathname: `/${name}` }).toString();

describe('createDatabaseIfMissing', () => {
  afterAll(async () => {
    const client = new pg.Client({ connectionString: maintenanceUrlOf(server) });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  });

  it('creates the database once, even when several processes race', async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => createDatabaseIfMissing(url)));
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await createDatabaseIfMissing(url)).toBe(false);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    expect((await client.query('SELECT current_database() AS db')).rows[0].db).toBe(name);
    await client.end();
  });
});
