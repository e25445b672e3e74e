// The search language over HTTP under hostile input: 20,000 mutations of generated queries, injection
// strings and inputs that make backtracking parsers or patterns slow. Every answer is 200 or a 400
// naming `q` with a position; none is a 500, none takes 2 s; the tables are as they were. A read
// that runs into the statement timeout is answered 503 QUERY_TIMEOUT.

import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../db/data-source.js';
import { bootstrap } from '../index.js';
import { generateRows, insertRows } from '../testing/generated-rows.js';
import { searchQueries } from '../testing/search-queries.js';
import { random } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

const MUTATIONS = 20_000;
const SLOW_MS = 2000;
const QUERY_TIMEOUT_MS = 1000;
const NOW = Date.now();

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let db: DataSource;
let token: string;

beforeAll(async () => {
  database = await createTestDatabase('vle_search_fuzz');
  log = await openTestLog('fuzz');
  service = await bootstrap({
    env: {
      DATABASE_URL: database.url,
      NATS_NAMESPACE: log.topology.namespace,
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      PROJECTION_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    },
  });
  db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
  await insertRows(db, generateRows({ count: 500, seed: 11, now: NOW, spanMs: 10 * 86_400_000 }));
  token = await testToken();
});

afterAll(async () => {
  await db?.destroy();
  await service?.close();
  await log?.close();
  await database?.drop();
});

interface Answer {
  readonly query: string;
  readonly status: number;
  readonly ms: number;
  readonly body: any;
}

/**
 * Percent-encoding as a hostile client may send it: a lone surrogate as its three WTF-8 bytes (which
 * are not UTF-8), where encodeURIComponent would throw.
 */
function encodeQuery(query: string): string {
  let out = '';
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i);
    const paired = code >= 0xd800 && code <= 0xdbff && (query.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (paired) {
      out += encodeURIComponent(query.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(query[i]!);
    }
  }
  return out;
}

async function search(query: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(`${service.url}/api/v1/tasks?limit=20&q=${encodeQuery(query)}`, { headers: bearer(token) });
  const body = await response.json().catch(() => undefined);
  return { query, status: response.status, ms: performance.now() - started, body };
}

/** What is wrong with an answer: a 500, a slow one, or a 400 that does not say where. */
function problemOf(a: Answer): string | undefined {
  if (a.ms >= SLOW_MS) return `took ${Math.round(a.ms)} ms`;
  if (a.status === 200) return Array.isArray(a.body?.items) ? undefined : 'a 200 without items';
  if (a.status !== 400) return `answered ${a.status} ${JSON.stringify(a.body).slice(0, 200)}`;
  const v = a.body?.violations?.[0];
  if (a.body?.code !== 'VALIDATION_FAILED' || v?.field !== 'q') return `a 400 not naming q: ${JSON.stringify(a.body).slice(0, 200)}`;
  // A refusal of the parser says where (the length check of the parameter has no position). The
  // server reads bytes that are not UTF-8 as they were sent (%ED%A0%80): longer than the query here.
  const longest = /[\ud800-\udfff]/.test(a.query) ? encodeQuery(a.query).length : a.query.length;
  if (v.position !== undefined && !(Number.isInteger(v.position) && v.position >= 0 && v.position <= longest)) return `a position outside the query: ${v.position}`;
  return undefined;
}

async function runAll(queries: readonly string[], inFlight = 4): Promise<{ problems: string[]; statuses: Record<number, number>; slowestMs: number }> {
  const problems: string[] = [];
  const statuses: Record<number, number> = {};
  let slowestMs = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < queries.length) {
        const answer = await search(queries[next++]!);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        slowestMs = Math.max(slowestMs, answer.ms);
        const problem = problemOf(answer);
        if (problem) problems.push(`${JSON.stringify(answer.query).slice(0, 200)}: ${problem}`);
      }
    }),
  );
  return { problems, statuses, slowestMs };
}

const NASTY = ['"', "'", '(', ')', '\\', '=', '!=', '~', '^', '<', '>=', '&', '|', ',', ' ', 'and', 'or', 'not ', 'set? ', 'null? ', '\u0000', '\u0007', '\ud800', '\udfff', '🙂', 'é', '%', '_', '*', ';', '--', '/*', "' OR '1'='1", '$1', ':f0', '::text', 'NULL', '\n', '"2 hours ago"', '9999-12-31', '-1 days ago'];

/** 1–4 edits of a valid query: deletions, insertions of what the lexer treats specially, cuts, repeats. */
function mutate(query: string, rnd: () => number): string {
  let q = query;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rnd() * (q.length + 1));
    const nasty = NASTY[Math.floor(rnd() * NASTY.length)]!;
    switch (Math.floor(rnd() * 6)) {
      case 0:
        q = q.slice(0, i) + q.slice(i + 1 + Math.floor(rnd() * 3));
        break;
      case 1:
        q = q.slice(0, i) + nasty + q.slice(i);
        break;
      case 2:
        q = q.slice(0, i) + nasty + q.slice(i + 1 + Math.floor(rnd() * 5));
        break;
      case 3:
        q = q.slice(0, i);
        break;
      case 4:
        q = q.slice(0, i) + q.slice(Math.floor(rnd() * q.length)) + q.slice(i);
        break;
      default:
        q = q.split(' ').reverse().join(' ');
    }
  }
  return q;
}

const INJECTIONS = [
  "name = \"x'; DROP TABLE tasks; --\"",
  "name = x'; DROP TABLE tasks; --",
  "'; DROP TABLE tasks; --",
  "status = failed') OR ('1'='1",
  'status = failed) OR (1=1',
  'name ~ "%\' UNION SELECT id, name FROM tasks --"',
  "name ~ ' OR 1=1 --",
  'user = "alice\\" OR \\"1\\"=\\"1"',
  'id = "0190a7e2-0000-7000-8000-000000000001\'::uuid OR true --"',
  'created_at > "now()"',
  "created_at > '2026-01-01'::timestamptz",
  'created_at > "1970-01-01; SELECT pg_sleep(10)"',
  'name = $1',
  'name = :f0',
  'event = "42\\u0000"',
  'object = "vm:1 OR 1=1"',
  "queue = pve_vm_clone; DELETE FROM sub_tasks",
  'name ~ "\\\\"',
  'pg_sleep(5)',
  'name ~ "x" or (select pg_sleep(5)) = 1',
  't.id = t.id',
  'sub_tasks.status = failed',
  'status = failed UNION ALL SELECT * FROM projection_checkpoints',
];

const REDOS = [
  `name ~ "${'a'.repeat(190)}!"`,
  `name ~ "${'%'.repeat(200)}"`,
  `name ~ "${'%_'.repeat(100)}"`,
  `name ~ "${'\\%'.repeat(100)}"`,
  '('.repeat(1000),
  ')'.repeat(1000),
  '('.repeat(500) + ')'.repeat(500),
  'not '.repeat(250),
  '!'.repeat(1000),
  '"'.repeat(1000),
  "'".repeat(999),
  '\\'.repeat(1000),
  'a'.repeat(1000),
  'a '.repeat(500),
  'a or '.repeat(200),
  'name = a and '.repeat(76),
  `status ^ (${Array.from({ length: 150 }, () => 'failed').join(',')})`,
  `object ^ (${Array.from({ length: 99 }, (_, i) => `vm:${i}`).join(', ')})`,
  Array.from({ length: 64 }, (_, i) => `name ~ w${i}`).join(' or '),
  Array.from({ length: 64 }, () => 'queue != pve_vm_clone').join(' or '),
  `${'(name ~ a or '.repeat(16)}x${')'.repeat(16)}`,
  '"'.repeat(500) + 'x'.repeat(500),
  `created_at > "${'9'.repeat(200)} days ago"`,
  `created_at > "999999 weeks ago"`,
  '🙂'.repeat(500),
  `name ~ "${'🙂'.repeat(100)}"`,
];

describe('the search language under hostile input, over HTTP', () => {
  it(`answers ${MUTATIONS} mutated queries with 200 or a 400 naming q, none in ${SLOW_MS} ms or more`, async () => {
    const rows = generateRows({ count: 500, seed: 11, now: NOW, spanMs: 10 * 86_400_000 });
    const bases = fc.sample(searchQueries(rows, NOW), { numRuns: 2000, seed: 424242 });
    const rnd = random(99);
    const queries = Array.from({ length: MUTATIONS }, (_, i) => mutate(bases[i % bases.length]!, rnd));
    const { problems, statuses, slowestMs } = await runAll(queries);
    problems.sort((a, b) => Number(b.includes(': answered')) - Number(a.includes(': answered')));
    expect(problems.slice(0, 10), `${problems.length} problems; statuses ${JSON.stringify(statuses)}`).toEqual([]);
    // Both kinds of answer happen: the mutations are neither all valid nor all refused.
    expect(statuses[200]).toBeGreaterThan(MUTATIONS * 0.05);
    expect(statuses[400]).toBeGreaterThan(MUTATIONS * 0.05);
    expect(slowestMs).toBeLessThan(SLOW_MS);
  }, 300_000);

  it('answers injection and slow-pattern strings the same way, and the tables stay as they were', async () => {
    const { problems, statuses } = await runAll([...INJECTIONS, ...REDOS], 2);
    expect({ problems, statuses }).toEqual({ problems: [], statuses: { 200: expect.any(Number), 400: expect.any(Number) } });
    expect(await db.query('SELECT count(*)::int AS n FROM tasks')).toEqual([{ n: 500 }]);
    // A value that looks like SQL is a value: it matches nothing, it runs nothing.
    expect((await search("name = \"x'; DROP TABLE tasks; --\"")).body.items).toEqual([]);
  });

  it("stops a read at the statement timeout: 503 QUERY_TIMEOUT (the list's, and the retention dry run's)", async () => {
    // A lock held by another session makes the list wait; statement_timeout counts the wait.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE projection.tasks IN ACCESS EXCLUSIVE MODE');
      const answer = await search('status = failed');
      expect([answer.status, answer.body.code]).toEqual([503, 'QUERY_TIMEOUT']);
      expect(answer.ms).toBeGreaterThanOrEqual(QUERY_TIMEOUT_MS - 50);
      expect(answer.ms).toBeLessThan(QUERY_TIMEOUT_MS + 1500);
      const preview = await fetch(`${service.url}/api/v1/retention/preview`, { headers: bearer(token) });
      expect([preview.status, ((await preview.json()) as { code?: string }).code]).toEqual([503, 'QUERY_TIMEOUT']);
    } finally {
      await client.query('ROLLBACK');
      await client.end();
    }
    expect((await search('status = failed')).status).toBe(200);
    expect((await fetch(`${service.url}/api/v1/retention/preview`, { headers: bearer(token) })).status).toBe(200);
  });
});
