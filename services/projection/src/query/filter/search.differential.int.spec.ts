// The search language against PostgreSQL: 1,000 generated queries, each run through the list's SQL
// (TaskQueries on a real read model) and through the in-memory filter on the same rows; the two must
// select the same Tasks, for an unscoped caller and for one whose token sees only its own Tasks.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../../db/data-source.js';
import { generateRows, insertRows, type GeneratedRows } from '../../testing/generated-rows.js';
import { searchQueries } from '../../testing/search-queries.js';
import { TaskQueries, type Visibility } from '../task.queries.js';
import { filterTaskOf, type FilterTask } from './fields.js';
import { matches } from './filter-match.js';
import { parseSearch } from './search-parser.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const DAY = 86_400_000;
const QUERIES = 1000;

let database: TestDatabase;
let db: DataSource;
let rows: GeneratedRows;
let tasks: FilterTask[];

beforeAll(async () => {
  database = await createTestDatabase('vle_search_diff');
  db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
  rows = generateRows({ count: 300, seed: 7, now: NOW, spanMs: 10 * DAY });
  await insertRows(db, rows);
  tasks = rows.tasks.map((t) => filterTaskOf(t, rows.subtasks.filter((s) => s.taskId === t.id)));
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const admin: Visibility = { subject: 'admin', scope: {}, subTasks: true };
const alice: Visibility = { subject: 'alice', scope: { own: true }, subTasks: true };

describe('the search language, SQL against the in-memory filter', () => {
  it(`selects the same Tasks for ${QUERIES} generated queries`, async () => {
    const queries = new TaskQueries(db);
    const samples = fc.sample(searchQueries(rows, NOW), { numRuns: QUERIES, seed: 20261202 });
    const mismatches: string[] = [];
    let selectedSome = 0;
    let selectedAll = 0;
    for (const [k, text] of samples.entries()) {
      const filter = parseSearch(text, NOW);
      const visibility = k % 4 === 3 ? alice : admin;
      const page = await queries.list({ filter, limit: 500 }, visibility);
      const got = page.items.map((t) => t.id).sort();
      const expected = tasks
        .filter((t) => (visibility.scope.own ? t.createdBy === visibility.subject : true) && (filter === undefined || matches(t, filter)))
        .map((t) => t.id)
        .sort();
      if (JSON.stringify(got) !== JSON.stringify(expected)) {
        const only = (a: string[], b: string[]) => a.filter((id) => !b.includes(id)).slice(0, 3);
        mismatches.push(`${text} (${visibility.subject}): SQL only ${only(got, expected).join(',')}; memory only ${only(expected, got).join(',')}`);
      }
      if (expected.length > 0) selectedSome++;
      if (expected.length === (visibility.scope.own ? tasks.filter((t) => t.createdBy === 'alice').length : tasks.length)) selectedAll++;
    }
    expect(mismatches.slice(0, 10), `${mismatches.length} of ${QUERIES} queries disagree`).toEqual([]);
    // The queries are worth something: most select some Tasks, and few select every one.
    expect(selectedSome).toBeGreaterThan(QUERIES * 0.4);
    expect(selectedAll).toBeLessThan(QUERIES * 0.4);
  });
});
