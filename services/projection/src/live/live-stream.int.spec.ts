// The live stream over HTTP on a booted projection: the log is appended to NATS while clients listen,
// and what each client was sent is checked against the read model once the projection caught up.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, openEventStream, testToken, waitFor, type EventStream, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import { scenario } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';

let database: TestDatabase;
let log: TestLog;
let service: RunningService;
let admin: string;
const streams: EventStream[] = [];

beforeAll(async () => {
  database = await createTestDatabase('vle_live');
  log = await openTestLog('live');
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn', PROJECTION_LIVE_HEARTBEAT_MS: '200', PROJECTION_LIVE_CATCH_UP_MAX: '30' },
  });
  admin = await testToken();
});

afterAll(async () => {
  for (const s of streams) s.close();
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function open(query: string, token: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const stream = await openEventStream(`${service.url}/api/v1/tasks/stream${query}`, { ...bearer(token), ...headers });
  streams.push(stream);
  return stream;
}

async function get(path: string): Promise<any> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(admin) });
  expect(response.status).toBe(200);
  return response.json();
}

async function caughtUp(seq: number): Promise<void> {
  await waitFor(async () => (await get('/api/v1/projection/status')).appliedSeq >= seq, { description: 'the projection to catch up', timeoutMs: 30_000 });
}

async function allTasks(query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await get(`/api/v1/tasks?limit=500${query}${cursor ? `&cursor=${cursor}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/** The last word of a stream on each Task: its view after a `task` event, or null after a `leave`. */
function lastWord(stream: EventStream): Map<string, any> {
  const last = new Map<string, any>();
  for (const e of stream.events) {
    if (e.event === 'task') {
      const view = JSON.parse(e.data);
      last.set(view.id, view);
    } else if (e.event === 'leave') {
      last.set(JSON.parse(e.data).id, null);
    }
  }
  return last;
}

const ready = (s: EventStream) => waitFor(() => s.events.find((e) => e.event === 'ready'), { description: 'the ready event', timeoutMs: 10_000 });

describe('GET /api/v1/tasks/stream', () => {
  it('sends every change as it is projected, each client with its filter and its scope, and resumes after Last-Event-ID', async () => {
    const alice = await testToken({ subject: 'alice', permissions: ['tasks_read'], scope: { own: true } });
    const all = await open('', admin);
    const failed = await open(`?q=${encodeURIComponent('status = failed')}`, admin);
    const own = await open('', alice);
    const clones = await open('?type=vm.clone&status=running,success', admin);
    for (const s of [all, failed, own, clones]) {
      expect(s.status).toBe(200);
      expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expect(Number((await ready(s)).id)).toBe(0);
    }
    const commits = scenario(40, 5);
    const half = Math.floor(commits.length / 2);
    await log.append(commits.slice(0, half));
    const last = await log.append(commits.slice(half));
    await caughtUp(last);
    // The stream sends a Task as it is, without the list's count of its children.
    const tasks = (await allTasks()).map(({ children: _children, ...task }) => task);
    expect(tasks.length).toBe(40);
    // The last word on every Task is the Task as the read model has it now.
    await waitFor(() => lastWord(all).size === 40 && tasks.every((t) => JSON.stringify(lastWord(all).get(t.id)) === JSON.stringify(t)), { description: 'every Task as it is now', timeoutMs: 10_000 });
    // A filtered stream: only Tasks matching when sent; the Tasks shown last are those that match now.
    const failedNow = new Set(tasks.filter((t) => t.status === 'failed').map((t) => t.id));
    expect(failedNow.size).toBeGreaterThan(0);
    await waitFor(() => [...lastWord(failed)].filter(([, v]) => v !== null).length === failedNow.size, { description: 'the failed Tasks', timeoutMs: 10_000 });
    for (const e of failed.events.filter((e) => e.event === 'task')) expect(JSON.parse(e.data).status).toBe('failed');
    // Whether a `leave` is sent depends on where the batches fall (a failure and its retry in one batch
    // are never shown as failed); the set below holds either way, and live-hub.unit.spec.ts pins the leave.
    expect(new Set([...lastWord(failed)].filter(([, v]) => v !== null).map(([id]) => id))).toEqual(failedNow);
    const clonesNow = new Set(tasks.filter((t) => t.type === 'vm.clone' && ['running', 'success'].includes(t.status)).map((t) => t.id));
    await waitFor(() => new Set([...lastWord(clones)].filter(([, v]) => v !== null).map(([id]) => id)).size === clonesNow.size, { description: 'the clones', timeoutMs: 10_000 });
    expect(new Set([...lastWord(clones)].filter(([, v]) => v !== null).map(([id]) => id))).toEqual(clonesNow);
    // A scoped token: alice's Tasks only, all of them.
    const alices = new Set(tasks.filter((t) => t.createdBy === 'alice').map((t) => t.id));
    await waitFor(() => lastWord(own).size === alices.size, { description: "alice's Tasks", timeoutMs: 10_000 });
    expect(new Set(lastWord(own).keys())).toEqual(alices);
    // Ids increase: a client's Last-Event-ID covers what came before it.
    const ids = all.events.filter((e) => e.event === 'task').map((e) => Number(e.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // Resume in the middle: exactly the Tasks changed after that id come again, then `ready`.
    const middle = [...tasks].sort((a, b) => a.lastSeq - b.lastSeq)[tasks.length - 21]!.lastSeq;
    const resumed = await open('', admin, { 'last-event-id': String(middle) });
    const readyAgain = await ready(resumed);
    expect(Number(readyAgain.id)).toBe(last);
    const before = resumed.events.slice(0, resumed.events.indexOf(readyAgain));
    expect(before.length).toBe(20);
    expect(new Set(before.map((e) => JSON.parse(e.data).id))).toEqual(new Set(tasks.filter((t) => t.lastSeq > middle).map((t) => t.id)));
    expect(before.every((e) => e.event === 'task' && Number(e.id) > middle)).toBe(true);
  });

  it('tells a client to load the list again when more changed since its id than a catch-up sends', async () => {
    const resumed = await open('', admin, { 'last-event-id': '0' });
    const reset = await waitFor(() => resumed.events.find((e) => e.event === 'reset'), { description: 'reset', timeoutMs: 10_000 });
    expect(JSON.parse(reset.data).reason).toContain('load the list again');
    expect(resumed.events.filter((e) => e.event === 'task')).toEqual([]);
  });

  it('sends heartbeats, and ends the stream when the token expires', async () => {
    const soon = await testToken({ expiresInSeconds: 2 });
    const stream = await open('', soon);
    await waitFor(() => stream.comments.includes('heartbeat'), { description: 'a heartbeat', timeoutMs: 5_000 });
    await stream.ended;
    expect(stream.events.at(-1)).toMatchObject({ event: 'expired', data: expect.stringContaining('TOKEN_EXPIRED') });
  });

  it('refuses bad input and callers that may not read', async () => {
    const reader = await testToken({ subject: 'reader', permissions: ['tasks_read'] });
    const cases: Array<[string, string, Record<string, string>, number, string]> = [
      ['?limit=5', admin, {}, 400, 'limit'],
      ['?cursor=x', admin, {}, 400, 'cursor'],
      ['?q=status%20%3D%20done', admin, {}, 400, 'q'],
      ['', admin, { 'last-event-id': 'abc' }, 400, 'Last-Event-ID'],
      ['?queue=pve_vm_clone', reader, {}, 403, 'sub_tasks_read'],
      ['', 'not-a-token', {}, 401, ''],
    ];
    for (const [query, token, headers, status, named] of cases) {
      const stream = await open(query, token, headers);
      expect([query, stream.status]).toEqual([query, status]);
      expect(await stream.body()).toContain(named);
    }
    // Without a token at all.
    expect((await fetch(`${service.url}/api/v1/tasks/stream`)).status).toBe(401);
  });
});
