// The search language against PostgreSQL: 1,000 generated queries, each run through the list's SQL
// (TaskQueries on a real read model) and through the in-memory filter on the same rows; the two must
// select the same Tasks, for an unscoped caller and for one whose token sees only its own Tasks.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { QUEUE_NAMES } from '@vle/contracts';
import { OBJECT_TYPES, SUB_TASK_STATUSES, TASK_STATUSES } from '@vle/domain';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../../db/data-source.js';
import { generateRows, insertRows, POOLS, type GeneratedRows } from '../../testing/generated-rows.js';
import { TaskQueries, type Visibility } from '../task.queries.js';
import { FIELDS, filterTaskOf, type FieldName, type FilterTask } from './fields.js';
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

/** A value as the language writes it: bare when it can be, else quoted with its escapes. */
const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const written = fc.boolean();
const literal = (values: readonly string[]) =>
  fc.tuple(fc.constantFrom(...values), written).map(([v, bare]) => (bare && /^[A-Za-z0-9_.:@-]+$/.test(v) && !['and', 'or', 'not'].includes(v.toLowerCase()) ? v : quoted(v)));

function timeValue(): fc.Arbitrary<string> {
  // Instants of the rows themselves probe the boundaries of < <= > >=.
  const exact = fc.integer({ min: 0, max: 299 }).map((i) => quoted(new Date(tasks[i]!.createdAt).toISOString()));
  const relative = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.constantFrom('minutes', 'hours', 'days', 'week', 'h', 'd')).map(([n, unit]) => quoted(`${n} ${unit} ago`));
  const day = fc.integer({ min: 0, max: 11 }).map((d) => new Date(NOW - d * DAY).toISOString().slice(0, 10));
  return fc.oneof(exact, relative, day, fc.constantFrom('today', 'yesterday', 'now'));
}

const VALUES: Partial<Record<FieldName, () => fc.Arbitrary<string>>> = {
  id: () => fc.integer({ min: 0, max: 320 }).map((i) => (i < 300 ? rows.tasks[i]!.id : '0190a7e2-ffff-7000-8000-000000000000')),
  name: () => fc.oneof(literal(POOLS.nameWords), literal(['cl', 'LAB', 'é', 'É', '%', '_', '\\', ' ', 'zzz', ''])),
  status: () => literal(TASK_STATUSES),
  type: () => literal([...POOLS.types, 'vm', 'clone', 'x']),
  user: () => literal([...POOLS.users, 'ALICE', 'al', 'dave']),
  event: () => literal([...POOLS.events, '4', '999']),
  origin: () => fc.integer({ min: 0, max: 320 }).map((i) => (i < 300 ? rows.tasks[i]!.id : '0190a7e2-eeee-7000-8000-000000000000')),
  object_type: () => literal(OBJECT_TYPES),
  object: () => fc.oneof(literal(POOLS.objectIds), fc.tuple(fc.constantFrom(...OBJECT_TYPES), fc.constantFrom(...POOLS.objectIds)).map(([t, id]) => quoted(`${t}:${id}`))),
  queue: () => literal(QUEUE_NAMES),
  action: () => literal([...POOLS.actions, 'vm', 'start']),
  subtask_status: () => literal(SUB_TASK_STATUSES),
  response_code: () => literal([...POOLS.codes, 'storage', 'ok']),
  message: () => literal([...POOLS.messages, 'storage full', 'FULL', 'pve2']),
};

const OPS: Record<string, readonly string[]> = {
  text: ['=', '!=', '~', '!~'],
  enum: ['=', '!='],
  uuid: ['=', '!='],
  object: ['=', '!='],
  time: ['=', '!=', '<', '<=', '>', '>='],
};

function condition(): fc.Arbitrary<string> {
  const names = Object.keys(FIELDS) as FieldName[];
  const comparisons = fc.constantFrom(...names).chain((name) => {
    const def = FIELDS[name];
    const value = def.kind === 'time' ? timeValue() : VALUES[name]!();
    const field = fc.constantFrom(name, ...def.aliases);
    const single = fc.tuple(field, fc.constantFrom(...OPS[def.kind]!), value).map(([f, op, v]) => `${f} ${op} ${v}`);
    if (def.kind === 'time') return single;
    const list = fc.tuple(field, fc.constantFrom('^', '!^'), fc.array(value, { minLength: 1, maxLength: 3 })).map(([f, op, vs]) => `${f} ${op} (${vs.join(', ')})`);
    return fc.oneof(single, single, list);
  });
  const nullable = (Object.keys(FIELDS) as FieldName[]).filter((n) => FIELDS[n].nullable);
  const presence = fc.tuple(fc.constantFrom('set?', 'null?'), fc.constantFrom(...nullable)).map(([k, f]) => `${k} ${f}`);
  const bare = VALUES.name!();
  return fc.oneof({ weight: 8, arbitrary: comparisons }, { weight: 1, arbitrary: presence }, { weight: 1, arbitrary: bare });
}

function query(): fc.Arbitrary<string> {
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      condition(),
      fc.tuple(tie('expr'), fc.constantFrom(' and ', ' or ', ' ', ' & ', ' | ', ' AND ', ' || '), tie('expr')).map(([a, join, b]) => `${a}${join}${b}`),
      tie('expr').map((e) => `not (${e})`),
      tie('expr').map((e) => `!(${e})`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  return expr;
}

const admin: Visibility = { subject: 'admin', scope: {}, subTasks: true };
const alice: Visibility = { subject: 'alice', scope: { own: true }, subTasks: true };

describe('the search language, SQL against the in-memory filter', () => {
  it(`selects the same Tasks for ${QUERIES} generated queries`, async () => {
    const queries = new TaskQueries(db);
    const samples = fc.sample(query(), { numRuns: QUERIES, seed: 20261202 });
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
