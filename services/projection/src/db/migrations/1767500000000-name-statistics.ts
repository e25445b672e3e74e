// The list's name filter (`name=`, `name ~` in the search language) is `name ILIKE '%text%'`, which
// the planner estimates from the column's histogram: with the default 100 entries a text matching
// 1 Task in 150 usually matches none of them, the estimate falls to its floor (0.01 %), and the
// planner reads every row the trigram index names (thousands, then sorted) rather than walking
// created_at until the page is full. Over 1,000,000 Tasks (bench/README.md, "Issue 11 §3") a page of
// "Clone deploy" took 300–500 ms; with 1,000 entries the estimate is near the truth and it takes
// 10–25 ms. ANALYZE samples 300 rows per entry, so the column's statistics cost ~5 s per million rows
// of autovacuum's time; it runs here once so that the new estimates hold from the start.

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NameStatistics1767500000000 implements MigrationInterface {
  name = 'NameStatistics1767500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tasks ALTER COLUMN name SET STATISTICS 1000`);
    await db.query(`ANALYZE tasks (name)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE tasks ALTER COLUMN name SET STATISTICS -1`);
  }
}
