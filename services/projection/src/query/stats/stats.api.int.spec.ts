// GET /api/v1/stats over HTTP on a booted projection whose read model holds generated rows: every
// count checked against the same count computed here from the rows, within the caller's scope.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { QUEUE_NAMES } from '@vle/contracts';
import { TASK_STATUSES } from '@vle/domain';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../../db/data-source.js';
import type { SubTaskEntity, TaskEntity } from '../../db/entities/index.js';
import { bootstrap } from '../../index.js';
import { generateRows, insertRows, type GeneratedRows } from '../../testing/generated-rows.js';
import { openTestLog, type TestLog } from '../../testing/test-log.js';

const HOUR = 3_600_000;
// Whole hours, so that the buckets of a period start at its from.
const NOW = Math.floor(Date.now() / HOUR) * HOUR;
const FROM = NOW - 48 * HOUR;

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let db: DataSource;
let rows: GeneratedRows;

const tokens = {
  admin: testToken(),
  tasksOnly: testToken({ subject: 'viewer', permissions: ['tasks_read'] }),
  event42: testToken({ subject: 'teacher', permissions: ['tasks_read', 'sub_tasks_read'], scope: { events: ['42'] } }),
  none: testToken({ subject: 'nobody', permissions: ['inventory_read'] }),
};

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_stats');
  log = await openTestLog('projstats');
  service = await bootstrap({ env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' } });
  db = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
  rows = generateRows({ count: 1500, seed: 21, now: NOW, spanMs: 4 * 24 * HOUR });
  await insertRows(db, rows);
});

afterAll(async () => {
  await db?.destroy();
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function stats(query: string, token = tokens.admin): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}/api/v1/stats?${query}`, { headers: bearer(await token) });
  return { status: response.status, body: await response.json() };
}

const iso = (ms: number) => new Date(ms).toISOString();
const period = `from=${iso(FROM)}&to=${iso(NOW)}`;

function statusCounts(tasks: readonly TaskEntity[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATUSES.map((s) => [s, 0]));
  for (const t of tasks) counts[t.status]!++;
  return counts;
}

function visibleRows(scope: (t: TaskEntity) => boolean): { tasks: TaskEntity[]; subtasks: SubTaskEntity[] } {
  const tasks = rows.tasks.filter(scope);
  const ids = new Set(tasks.map((t) => t.id));
  return { tasks, subtasks: rows.subtasks.filter((s) => ids.has(s.taskId)) };
}

function expectedStats(scope: (t: TaskEntity) => boolean) {
  const { tasks, subtasks } = visibleRows(scope);
  const created = tasks.filter((t) => t.createdAt.getTime() >= FROM && t.createdAt.getTime() < NOW);
  const backlog = QUEUE_NAMES.map((queue) => ({ queue, ...Object.fromEntries(['blocked', 'queued', 'running', 'retrying'].map((status) => [status, subtasks.filter((s) => s.queue === queue && s.status === status).length])) }));
  const failed = subtasks.filter((s) => s.status === 'failed' && s.finishedAt !== null && s.finishedAt.getTime() >= FROM && s.finishedAt.getTime() < NOW);
  const groups = new Map<string, SubTaskEntity[]>();
  for (const s of failed) {
    const key = JSON.stringify([s.queue, s.action, s.responseCode, s.responseMessage]);
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return { created, backlog, failed, groups };
}

describe('GET /api/v1/stats', () => {
  it('counts the Tasks created in the period by status, the backlog per queue and the failures per group', async () => {
    const { status, body } = await stats(period);
    expect(status).toBe(200);
    const expected = expectedStats(() => true);
    expect(expected.created.length).toBeGreaterThan(100);
    expect(body).toMatchObject({ from: iso(FROM), to: iso(NOW), interval: null, tasks: { total: expected.created.length, byStatus: statusCounts(expected.created) } });
    expect(body).not.toHaveProperty('buckets');
    expect(body.backlog).toEqual(expected.backlog);
    expect(body.failures.total).toBe(expected.failed.length);
    expect(body.failures.groupsTotal).toBe(expected.groups.size);
    expect(expected.groups.size).toBeGreaterThan(5);
    const counts = body.failures.groups.map((g: any) => g.count);
    expect(counts).toEqual([...counts].sort((a: number, b: number) => b - a));
    for (const group of body.failures.groups) {
      const members = expected.groups.get(JSON.stringify([group.queue, group.action, group.responseCode, group.responseMessage]))!;
      expect(group.count).toBe(members.length);
      // The latest failures first: what a retry of the group takes.
      const latest = [...members].sort((a, b) => b.finishedAt!.getTime() - a.finishedAt!.getTime() || (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.id < b.id ? -1 : 1));
      expect(group.retry).toEqual(latest.slice(0, 100).map((s) => ({ taskId: s.taskId, subTaskId: s.id })));
      expect(group.retryTruncated).toBe(members.length > 100);
    }
  });

  it('counts per hour and per day, empty buckets too', async () => {
    const expected = expectedStats(() => true);
    for (const [interval, step] of [['hour', HOUR], ['day', 24 * HOUR]] as const) {
      const { status, body } = await stats(`${period}&interval=${interval}`);
      expect(status).toBe(200);
      const starts = Array.from({ length: Math.ceil((NOW - Math.floor(FROM / step) * step) / step) }, (_, i) => Math.floor(FROM / step) * step + i * step);
      expect(body.buckets).toEqual(
        starts.map((start) => {
          const inBucket = expected.created.filter((t) => t.createdAt.getTime() >= start && t.createdAt.getTime() < start + step);
          return { start: iso(start), total: inBucket.length, byStatus: statusCounts(inBucket) };
        }),
      );
      expect(body.buckets.reduce((n: number, b: any) => n + b.total, 0)).toBe(expected.created.length);
    }
  });

  it('counts only what the scope holds', async () => {
    const { body } = await stats(period, tokens.event42);
    const expected = expectedStats((t) => t.eventId === '42');
    expect(body.tasks).toEqual({ total: expected.created.length, byStatus: statusCounts(expected.created) });
    expect(body.backlog).toEqual(expected.backlog);
    expect(body.failures.total).toBe(expected.failed.length);
    const inScope = new Set(visibleRows((t) => t.eventId === '42').tasks.map((t) => t.id));
    expect(body.failures.groups.flatMap((g: any) => g.retry).every((r: any) => inScope.has(r.taskId))).toBe(true);
  });

  it('leaves the SubTask parts out without sub_tasks_read', async () => {
    const { status, body } = await stats(period, tokens.tasksOnly);
    expect(status).toBe(200);
    expect(body.tasks.total).toBe(expectedStats(() => true).created.length);
    expect(body).not.toHaveProperty('backlog');
    expect(body).not.toHaveProperty('failures');
    expect((await stats(period, tokens.none)).status).toBe(403);
  });

  it('takes the last 24 hours by default', async () => {
    const { body } = await stats('');
    expect(Date.parse(body.to) - Date.parse(body.from)).toBe(24 * HOUR);
    expect(Math.abs(Date.parse(body.to) - Date.now())).toBeLessThan(60_000);
  });

  it.each([
    ['from=yesterday', 'from'],
    ['to=2026-02-30', 'to'],
    [`from=${iso(NOW)}&to=${iso(FROM)}`, 'to'],
    ['interval=week', 'interval'],
    [`from=${iso(NOW - 40 * 24 * HOUR)}&to=${iso(NOW)}&interval=hour`, 'interval'],
    [`from=2024-01-01&to=2026-01-01`, 'from'],
    ['status=failed', 'status'],
  ])('answers 400 naming the field for %s', async (query, field) => {
    const { status, body } = await stats(query);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field), violations: [expect.objectContaining({ field })] });
  });
});
