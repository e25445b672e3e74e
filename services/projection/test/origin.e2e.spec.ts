// The projection as the one origin of clients (README, "One origin"), with the services as processes:
// a client that knows only the projection's base URL creates, retries and cancels Tasks, reads them and
// follows them live; its refusals are task-api's own, byte for byte; a body over task-api's limit is
// refused as it streams through; a GET of a command path is the projection's; a stopped task-api gives
// 502 UPSTREAM_UNAVAILABLE at once. Needs a build: npm run build.

import { request } from 'node:http';
import { bearer, openEventStream, testToken, waitFor, type EventStream } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string | null>;
}

/** The answer's status, body and the headers a client acts on. */
async function call(base: string, method: string, path: string, init: { token?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers = { ...(init.token ? bearer(init.token) : {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers };
  const response = await fetch(`${base}${path}`, { method, headers, body: init.body });
  const text = await response.text();
  const pick = ['content-type', 'location', 'www-authenticate', 'retry-after'];
  return {
    status: response.status,
    body: (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text,
    headers: Object.fromEntries(pick.map((name) => [name, response.headers.get(name)])),
  };
}

const origin = () => system.projection.url;
const direct = () => system.taskApi.url;

let live: EventStream;

beforeAll(async () => {
  await system.start();
  live = await openEventStream(`${origin()}/api/v1/tasks/stream`, bearer(system.token));
  if (live.status !== 200) throw new Error(`the live stream answered ${live.status}: ${await live.body()}`);
  await waitFor(() => live.events.some((e) => e.event === 'ready'), { description: 'the live stream to be ready', timeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  live?.close();
  await system.stop();
});

describe('one origin', () => {
  it('creates a Task through the projection as task-api does, and reads it and sees it live there', async () => {
    const key = `origin-${Date.now()}`;
    const body = JSON.stringify({ name: 'through the origin', createdBy: 'e2e', idempotencyKey: key, subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    const created = await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body });
    expect(created.status).toBe(201);
    const taskId = (created.body as { taskId: string }).taskId;
    expect(created.body).toEqual({ taskId, existing: false, status: expect.any(String), subTaskIds: { a: expect.any(String) } });
    expect(created.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', location: `/api/v1/tasks/${taskId}` });
    await waitFor(() => live.events.some((e) => e.data.includes(taskId) && e.data.includes('"success"')), { description: `the live stream to show ${taskId} succeeded`, timeoutMs: 20_000 });
    // The same command again, directly and through the origin: the same answer from both.
    const again = await call(direct(), 'POST', '/api/v1/tasks', { token: system.token, body });
    expect(again).toMatchObject({ status: 200, body: { ...(created.body as object), existing: true, status: 'success' } });
    expect(await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body })).toEqual(again);
    const detail = await call(origin(), 'GET', `/api/v1/tasks/${taskId}`, { token: system.token });
    expect(detail).toMatchObject({ status: 200, body: { id: taskId, name: 'through the origin', status: 'success' } });
    const list = await call(origin(), 'GET', `/api/v1/tasks?q=${encodeURIComponent('name = "through the origin"')}`, { token: system.token });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain(taskId);
  });

  it("refuses exactly as task-api: the same status, body and headers for 400, 401, 403, 404, 409 and 415", async () => {
    const reader = await testToken({ subject: 'reader', permissions: ['tasks_read'] });
    const valid = JSON.stringify({ name: 'x', createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] });
    const key = `origin-reused-${Date.now()}`;
    expect((await call(direct(), 'POST', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ ...JSON.parse(valid), idempotencyKey: key }) })).status).toBe(201);
    const cases: [string, string, { token?: string; body?: string; headers?: Record<string, string> }, number][] = [
      ['validation', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ name: 'x', subtasks: [] }) }, 400],
      ['malformed', '/api/v1/tasks', { token: system.token, body: '{"name":' }, 400],
      ['no token', '/api/v1/tasks', { body: valid }, 401],
      ['forged token', '/api/v1/tasks', { token: 'not.a.token', body: valid }, 401],
      ['missing permission', '/api/v1/tasks', { token: reader, body: valid }, 403],
      ['key reused', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ ...JSON.parse(valid), name: 'another', idempotencyKey: key }) }, 409],
      ['unknown Task', '/api/v1/tasks/0190a7e2-0000-7000-8000-0000000000ff/cancel', { token: system.token, body: '{}' }, 404],
      ['not JSON', '/api/v1/tasks', { token: system.token, body: 'name=x', headers: { 'content-type': 'text/plain' } }, 415],
    ];
    for (const [name, path, init, status] of cases) {
      const fromTaskApi = await call(direct(), 'POST', path, init);
      const fromOrigin = await call(origin(), 'POST', path, init);
      expect([name, fromTaskApi.status]).toEqual([name, status]);
      expect([name, fromOrigin]).toEqual([name, fromTaskApi]);
      expect((fromOrigin.body as { code: string; violations: unknown[] }).violations).toBeInstanceOf(Array);
    }
  });

  it('retries a failed SubTask and cancels a Task through the projection, and the live stream shows both', async () => {
    const failing = await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ name: 'origin retry', createdBy: 'e2e', subtasks: [{ key: 'bad', name: 'Bad', action: 'fail', queue: 'bench', params: { permanent: true } }] }) });
    expect(failing.status).toBe(201);
    const { taskId, subTaskIds } = failing.body as { taskId: string; subTaskIds: { bad: string } };
    await waitFor(async () => (await system.task(taskId)).subtasks[0]!.status === 'failed' || undefined, { description: 'the SubTask to fail' });
    const retried = await call(origin(), 'POST', `/api/v1/tasks/${taskId}/subtasks/${subTaskIds.bad}/retry`, { token: system.token, body: JSON.stringify({ requestedBy: 'e2e' }) });
    expect(retried.status).toBe(202);
    await waitFor(async () => (await system.task(taskId)).subtasks[0]!.generation === 2 || undefined, { description: 'the retry to be in the log' });

    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const waiting = await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ name: 'origin cancel', createdBy: 'e2e', startAt: later, subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }) });
    expect(waiting.status).toBe(201);
    const cancelledId = (waiting.body as { taskId: string }).taskId;
    const cancelled = await call(origin(), 'POST', `/api/v1/tasks/${cancelledId}/cancel`, { token: system.token, body: JSON.stringify({ requestedBy: 'e2e', reason: 'through the origin' }) });
    expect(cancelled.status).toBe(202);
    await waitFor(() => live.events.some((e) => e.data.includes(cancelledId) && e.data.includes('"cancelled"')), { description: 'the live stream to show the cancel', timeoutMs: 20_000 });
    expect((await call(origin(), 'GET', `/api/v1/tasks/${cancelledId}`, { token: system.token })).body).toMatchObject({ status: 'cancelled' });
  });

  it('does not forward a GET of a command path: the projection answers it and nothing is done', async () => {
    const waiting = await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ name: 'origin get', createdBy: 'e2e', startAt: new Date(Date.now() + 3600_000).toISOString(), subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }) });
    const taskId = (waiting.body as { taskId: string }).taskId;
    const before = (await system.events(taskId)).length;
    for (const path of [`/api/v1/tasks/${taskId}/cancel`, `/api/v1/tasks/${taskId}/pin`]) {
      expect((await call(origin(), 'GET', path, { token: system.token })).status).toBe(404);
    }
    expect((await system.events(taskId)).length).toBe(before);
  });

  it("refuses a body over task-api's limit with task-api's 413 while it streams, long before the upload ends", async () => {
    const [fromTaskApi, fromOrigin] = [await uploadUntilAnswered(`${direct()}/api/v1/tasks`, system.token), await uploadUntilAnswered(`${origin()}/api/v1/tasks`, system.token)];
    expect(fromTaskApi.status).toBe(413);
    expect({ status: fromOrigin.status, body: fromOrigin.body }).toEqual({ status: fromTaskApi.status, body: fromTaskApi.body });
    expect(JSON.parse(fromOrigin.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // 256 MiB offered; the refusal came after a few MiB at most, so the projection held none of it whole.
    expect(fromOrigin.sent).toBeLessThan(32 << 20);
  });

  it('answers 502 UPSTREAM_UNAVAILABLE at once while task-api is stopped, and keeps serving reads', async () => {
    await system.taskApi.stop();
    const started = Date.now();
    const refused = await call(origin(), 'POST', '/api/v1/tasks', { token: system.token, body: JSON.stringify({ name: 'nobody there', createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }) });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(refused).toMatchObject({ status: 502, body: { code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('task-api'), violations: [] }, headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect((await call(origin(), 'GET', '/api/v1/tasks', { token: system.token })).status).toBe(200);
  });
});

/** POSTs a chunked body of up to 256 MiB as fast as the connection takes it, until an answer arrives. */
function uploadUntilAnswered(url: string, token: string): Promise<{ status: number; body: string; sent: number }> {
  const total = 256 << 20;
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    let answered = false;
    const outgoing = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) } });
    const pump = () => {
      while (!answered && sent < total) {
        sent += chunk.length;
        if (!outgoing.write(chunk)) return void outgoing.once('drain', pump);
      }
      if (!answered) outgoing.end();
    };
    outgoing.on('response', (response) => {
      answered = true;
      const atAnswer = sent;
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => {
        resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString(), sent: atAnswer });
        outgoing.destroy();
      });
    });
    outgoing.on('error', (error) => {
      if (!answered) reject(error);
    });
    outgoing.write('{"name":"');
    pump();
  });
}
