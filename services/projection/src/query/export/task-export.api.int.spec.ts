// The CSV export over HTTP on a booted projection whose read model holds generated rows: the export
// holds what paging through the list gives for the same filters, its cap, the scope, SubTasks only
// with sub_tasks_read, the formula guard, and a client that goes away mid-export.

import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../../db/data-source.js';
import { SubTaskEntity, TaskEntity } from '../../db/entities/index.js';
import { bootstrap } from '../../index.js';
import { generateRows, insertRows, type GeneratedRows } from '../../testing/generated-rows.js';
import { readCsv } from '../../testing/read-csv.js';
import { openTestLog, type TestLog } from '../../testing/test-log.js';
import type { TaskView } from '../task.views.js';
import { guardFormula } from './csv.js';
import { TRUNCATED_MARK } from './csv-stream.js';
import { headerOf, taskRecord } from './task-export.columns.js';

const MAX_ROWS = 1500;
const NOW = Date.now();

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let db: DataSource;
let rows: GeneratedRows;
let admin: string;

const BIG_SUBTASKS = 3000;
/** Long enough that an export of the big Task outgrows what the sockets buffer (some 60 MB). */
const BIG_MESSAGE = 'x'.repeat(20_000);

/**
 * A Task whose name a spreadsheet would run (ten minutes old), and an old one with 3,000 SubTasks
 * (more than a chunk) with long response messages.
 */
function specialRows(): GeneratedRows & { big: TaskEntity } {
  const base = generateRows({ count: 2, seed: 99, now: NOW, spanMs: 1 });
  const [formula, big] = base.tasks as [TaskEntity, TaskEntity];
  formula.name = '=HYPERLINK("http://evil.example","click"), then\nmore';
  formula.createdAt = new Date(NOW - 600_000);
  formula.updatedAt = formula.createdAt;
  big.createdAt = new Date(NOW - 9.5 * 86_400_000);
  big.updatedAt = big.createdAt;
  const template = generateRows({ count: 20, seed: 3, now: NOW, spanMs: 1 }).subtasks[0]!;
  const subtasks = Array.from({ length: BIG_SUBTASKS }, (_, p) => Object.assign(new SubTaskEntity(), { ...template, taskId: big.id, id: `${big.id}-big-${p}`, position: p, name: `Big ${p}`, responseMessage: BIG_MESSAGE }));
  big.subtasksTotal = subtasks.length;
  return { tasks: [formula, big], subtasks: [...base.subtasks.filter((s) => s.taskId === formula.id).map((s) => Object.assign(s, { createdAt: formula.createdAt })), ...subtasks], big };
}

let big: TaskEntity;
const logged: string[] = [];
const recordingLogger = {
  log: (m: unknown) => void logged.push(String(m)),
  warn: (m: unknown) => void logged.push(String(m)),
  error: (m: unknown) => void logged.push(String(m)),
};

beforeAll(async () => {
  database = await createTestDatabase('vle_export');
  log = await openTestLog('export');
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), PROJECTION_EXPORT_MAX_ROWS: String(MAX_ROWS) },
    logger: recordingLogger,
  });
  db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
  const generated = generateRows({ count: 1300, seed: 5, now: NOW, spanMs: 10 * 86_400_000 });
  const special = specialRows();
  rows = { tasks: [...generated.tasks, ...special.tasks], subtasks: [...generated.subtasks, ...special.subtasks] };
  big = special.big;
  await insertRows(db, rows);
  admin = await testToken();
});

afterAll(async () => {
  await db?.destroy();
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function exportCsv(query: string, token = admin): Promise<{ status: number; headers: Headers; records: string[][]; body: any }> {
  const response = await fetch(`${service.url}/api/v1/tasks/export.csv?${query}`, { headers: bearer(token) });
  const text = await response.text();
  const csv = response.headers.get('content-type')?.startsWith('text/csv') === true;
  return { status: response.status, headers: response.headers, records: csv ? readCsv(text) : [], body: csv ? undefined : JSON.parse(text) };
}

async function listAll(query: string, token = admin): Promise<TaskView[]> {
  const items: TaskView[] = [];
  let cursor: string | null = null;
  do {
    const response = await fetch(`${service.url}/api/v1/tasks?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    const page = (await response.json()) as { items: TaskView[]; nextCursor: string | null };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** A Task's record as the CSV should read back: the guard applied, absent values empty. */
const expectedRecord = (task: TaskView) => taskRecord(task).map((v) => (v === null || v === undefined ? '' : typeof v === 'string' ? guardFormula(v) : String(v)));

const byNewest = (a: TaskEntity, b: TaskEntity) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

/** Whether a Task is in a list without silent=true: the scheduler's Tasks that ran well are not (NOT_SILENT). */
const listed = (t: { createdBy: string; status: string }) => !(t.createdBy === 'service:scheduler' && t.status === 'success');

describe('GET /api/v1/tasks/export.csv', () => {
  it.each([
    [''],
    ['status=failed,warning,running'],
    ['q=name ~ clone or user = bob'],
    ['createdBy=alice&from=' + new Date(NOW - 5 * 86_400_000).toISOString()],
    ['q=queue = pve_vm_clone and code = STORAGE_FULL'],
    ['eventId=42&objectType=vm'],
  ])('holds what every page of the list holds for %j, in its order', async (query) => {
    const list = await listAll(query);
    const csv = await exportCsv(query);
    expect(csv.status).toBe(200);
    expect(list.length).toBeGreaterThan(0);
    expect(list.length).toBeLessThanOrEqual(MAX_ROWS);
    expect(csv.records[0]).toEqual(headerOf(false));
    expect(csv.records.slice(1)).toEqual(list.map(expectedRecord));
  });

  it('answers a CSV attachment, in UTF-8', async () => {
    const csv = await exportCsv('name=École');
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers.get('content-disposition')).toMatch(/^attachment; filename="tasks-\d{8}T\d{6}Z\.csv"$/);
    expect(csv.records.length).toBeGreaterThan(1);
    expect(csv.records.slice(1).every((r) => r[1]!.includes('École'))).toBe(true);
  });

  it('guards a name that a spreadsheet would run as a formula, and quotes what needs it', async () => {
    const csv = await exportCsv('name=HYPERLINK');
    expect(csv.records.slice(1).map((r) => r[1])).toEqual(['\'=HYPERLINK("http://evil.example","click"), then\nmore']);
  });

  it('stops at limit, and at PROJECTION_EXPORT_MAX_ROWS, with a last record saying it was cut', async () => {
    const ten = await exportCsv('limit=10');
    const list = await listAll('');
    expect(ten.records.slice(1, 11)).toEqual(list.slice(0, 10).map(expectedRecord));
    expect(ten.records).toHaveLength(12);
    expect(ten.records[11]![0]).toBe(TRUNCATED_MARK);
    expect(ten.records[11]).toHaveLength(headerOf(false).length);
    expect(ten.headers.get('x-export-max-rows')).toBe('10');

    const exact = await exportCsv(`limit=${list.length}`);
    expect(exact.records).toHaveLength(list.length + 1);
    expect(exact.records.at(-1)![0]).not.toBe(TRUNCATED_MARK);

    // SubTask records outnumber the cap of the service.
    const all = await exportCsv('subtasks=true');
    expect(all.records).toHaveLength(MAX_ROWS + 2);
    expect(all.records.at(-1)![0]).toBe(TRUNCATED_MARK);
    expect(all.headers.get('x-export-max-rows')).toBe(String(MAX_ROWS));
  });

  it('says in a trailer whether the cap cut it', async () => {
    const trailer = (query: string) =>
      new Promise<string | undefined>((resolve, reject) => {
        http.get(`${service.url}/api/v1/tasks/export.csv?${query}`, { headers: bearer(admin) }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.trailers['x-export-truncated']));
        }).on('error', reject);
      });
    expect(await trailer('limit=5')).toBe('true');
    expect(await trailer('eventId=42')).toBe('false');
  });

  it('holds only the Tasks of the scope, whatever the filter', async () => {
    const event7 = await testToken({ subject: 'teacher', permissions: ['tasks_read'], scope: { events: ['7'] } });
    const expected = rows.tasks.filter((t) => t.eventId === '7' && listed(t)).sort(byNewest).map((t) => t.id);
    expect((await exportCsv('', event7)).records.slice(1).map((r) => r[0])).toEqual(expected);
    expect((await exportCsv('eventId=42', event7)).records).toEqual([headerOf(false)]);
    const alice = await testToken({ subject: 'alice', permissions: ['tasks_read'], scope: { own: true } });
    expect((await exportCsv('', alice)).records.slice(1).map((r) => r[0])).toEqual(rows.tasks.filter((t) => t.createdBy === 'alice').sort(byNewest).map((t) => t.id));
  });

  it('writes one record per SubTask with sub_tasks_read, in creation order, a Task without any once', async () => {
    const from = NOW - 12 * 3_600_000;
    const query = `subtasks=true&from=${new Date(from).toISOString()}`;
    const csv = await exportCsv(query);
    expect(csv.status).toBe(200);
    expect(csv.records[0]).toEqual(headerOf(true));
    const tasks = rows.tasks.filter((t) => t.createdAt.getTime() >= from && listed(t)).sort(byNewest);
    const expected = tasks.flatMap((t) => {
      const own = rows.subtasks.filter((s) => s.taskId === t.id).sort((a, b) => a.position - b.position);
      return own.length === 0 ? [[t.id, '']] : own.map((s) => [t.id, s.id]);
    });
    expect(expected.length).toBeGreaterThan(50);
    expect(expected.some(([, s]) => s === '')).toBe(true);
    const width = headerOf(false).length;
    expect(csv.records.slice(1).map((r) => [r[0], r[width]])).toEqual(expected);
    const failed = rows.subtasks.find((s) => s.responseMessage !== null && tasks.some((t) => t.id === s.taskId))!;
    const record = csv.records.find((r) => r[width] === failed.id)!;
    expect(record.slice(width)).toEqual([failed.id, failed.name, failed.action, failed.queue, failed.status, String(failed.generation), String(failed.attempt), failed.objectType ?? '', failed.objectId ?? '', failed.responseCode ?? '', failed.responseMessage ?? '', failed.startedAt?.toISOString() ?? '', failed.finishedAt?.toISOString() ?? '']);
  });

  it('reads the SubTasks of a Task bigger than a chunk in creation order, up to the cap', async () => {
    const width = headerOf(false).length;
    const csv = await exportCsv(`subtasks=true&q=id = ${big.id}`);
    expect(csv.records).toHaveLength(MAX_ROWS + 2);
    expect(csv.records.slice(1, -1).map((r) => r[width])).toEqual(Array.from({ length: MAX_ROWS }, (_, p) => `${big.id}-big-${p}`));
    expect(csv.records.slice(1, -1).every((r) => r[0] === big.id && r.at(-3) === BIG_MESSAGE)).toBe(true);
    expect(csv.records.at(-1)![0]).toBe(TRUNCATED_MARK);
    const few = await exportCsv(`subtasks=true&limit=1001&q=id = ${big.id}`);
    expect(few.records.slice(1, -1).map((r) => r[width])).toEqual(Array.from({ length: 1001 }, (_, p) => `${big.id}-big-${p}`));
  });

  it('refuses SubTasks and SubTask filters without sub_tasks_read, naming it', async () => {
    const viewer = await testToken({ subject: 'viewer', permissions: ['tasks_read'] });
    for (const query of ['subtasks=true', 'queue=mails', 'q=code = OK']) {
      const answer = await exportCsv(query, viewer);
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('sub_tasks_read') });
    }
    expect((await exportCsv('subtasks=false', viewer)).status).toBe(200);
  });

  it.each([
    ['cursor=abc', 'cursor'],
    ['limit=1501', 'limit'],
    ['subtasks=1', 'subtasks'],
    ['status=done', 'status'],
    ['q=status = = x', 'q'],
    ['format=xlsx', 'format'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const answer = await exportCsv(query);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field), violations: [expect.objectContaining({ field })] });
  });

  it('stops reading when the client goes away mid-export, leaving the pool whole', async () => {
    const received = await new Promise<number>((resolve, reject) => {
      const request = http.get(`${service.url}/api/v1/tasks/export.csv?subtasks=true&q=${encodeURIComponent(`id = ${big.id}`)}`, { headers: bearer(admin) }, (response) => {
        response.once('data', (chunk: Buffer) => {
          request.destroy();
          resolve(chunk.length);
        });
      });
      request.on('error', (error) => (request.destroyed ? undefined : reject(error)));
    });
    expect(received).toBeGreaterThan(0);
    // The export says where it stopped: before the end of what it would have read.
    const stopped = await waitFor(() => logged.map((line) => /an export stopped after (\d+) rows: the client went away/.exec(line)).find(Boolean) ?? undefined, { description: 'the export to notice' });
    expect(Number(stopped[1])).toBeLessThan(MAX_ROWS);
    // No statement of the export left running or a transaction left open on the query pool.
    await waitFor(
      async () => {
        const busy = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'vle-projection-queries' AND state <> 'idle'`);
        return busy[0].n === 0 || undefined;
      },
      { description: 'the export to stop reading', timeoutMs: 10_000 },
    );
    // More requests at once than the pool has connections (10): every one is served.
    const answers = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 5 === 0 ? exportCsv('limit=50') : fetch(`${service.url}/api/v1/tasks?limit=5`, { headers: bearer(admin) }))));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
  });
});
