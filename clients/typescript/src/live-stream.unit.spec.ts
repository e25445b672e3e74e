// The live stream against a server of the test's own: typed events, resuming with Last-Event-ID
// after a drop, `closed` and `expired`, a fresh token per connection, and what ends it for good.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { events, json, startTestServer, type TestServer } from '../test/http-server.js';
import { createTasksClient } from './client.js';
import { isAuthenticationError, isSearchQueryError, isUnavailableError, type TasksError } from './errors.js';
import type { LiveEvent } from './live-stream.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.seen.length = 0;
});

const TASK = { id: 't1', name: 'Clone', status: 'running', version: 3 };
const task = (id: number, body: object = TASK) => `id: ${id}\nevent: task\ndata: ${JSON.stringify(body)}\n\n`;
const ready = (id: number) => `id: ${id}\nevent: ready\ndata: {"seq":${id}}\n\n`;

/** The first `n` events of the stream (then the iteration is ended by a break). */
async function take(stream: AsyncIterable<LiveEvent>, n: number): Promise<LiveEvent[]> {
  const seen: LiveEvent[] = [];
  for await (const event of stream) {
    seen.push(event);
    if (seen.length === n) break;
  }
  return seen;
}

describe('the live stream', () => {
  it('yields typed events and resumes after a drop and a closed with Last-Event-ID and a fresh token', async () => {
    let n = 0;
    const client = createTasksClient({ baseUrl: server.url, token: () => `jwt-${++n}` });
    server.answer(
      events(`retry: 3000\n\n${task(7)}: heartbeat\n\n${ready(8)}event: novelty\ndata: not JSON\n\n`, 'drop'),
      events(`id: 9\nevent: reset\ndata: {"seq":9,"reason":"1200 Tasks changed"}\n\nevent: closed\ndata: {"reason":"the service stops"}\n\n`),
      events(`id: 10\nevent: leave\ndata: {"id":"t1"}\n\n`, 'hold'),
    );
    const seen = await take(client.streamTasks({ status: 'running' }, { reconnectDelayMs: 10 }), 7);
    expect(seen.map((e) => (e.type === 'reconnecting' && e.error ? { ...e, error: e.error.code } : e))).toEqual([
      { type: 'task', id: '7', task: TASK },
      { type: 'ready', id: '8', seq: 8 },
      { type: 'reconnecting', id: '8', attempt: 1, delayMs: 10, error: 'STREAM_BROKEN' },
      { type: 'reset', id: '9', seq: 9, reason: '1200 Tasks changed' },
      { type: 'closed', id: '9', reason: 'the service stops' },
      // Ended as the server meant it to: no error; the second in a row without a ready, so twice the wait.
      { type: 'reconnecting', id: '9', attempt: 2, delayMs: 20 },
      { type: 'leave', id: '10', taskId: 't1' },
    ]);
    expect(server.seen.map((s) => [s.url, s.headers.accept, s.headers['last-event-id'], s.headers.authorization])).toEqual([
      ['/api/v1/tasks/stream?status=running', 'text/event-stream', undefined, 'Bearer jwt-1'],
      ['/api/v1/tasks/stream?status=running', 'text/event-stream', '8', 'Bearer jwt-2'],
      ['/api/v1/tasks/stream?status=running', 'text/event-stream', '9', 'Bearer jwt-3'],
    ]);
  });

  it("waits the server's retry, doubling while nothing gets ready, and starts after a given id", async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(events('retry: 40\n\n'), events(''), events(''));
    const seen = await take(client.streamTasks({}, { lastEventId: '41' }), 3);
    expect(seen).toEqual([
      { type: 'reconnecting', id: '41', attempt: 1, delayMs: 40 },
      { type: 'reconnecting', id: '41', attempt: 2, delayMs: 80 },
      { type: 'reconnecting', id: '41', attempt: 3, delayMs: 160 },
    ]);
    expect(server.seen.map((s) => s.headers['last-event-id'])).toEqual(['41', '41', '41']);
  });

  it('reconnects at once after expired, and ends with the typed 401 when the token is refused', async () => {
    const client = createTasksClient({ baseUrl: server.url, token: 'old' });
    server.answer(events(`${ready(5)}event: expired\ndata: {"code":"TOKEN_EXPIRED","message":"the token expired"}\n\n`), json(401, { code: 'UNAUTHENTICATED', message: 'the token expired at 2026-12-02T22:00:00.000Z' }));
    const seen: LiveEvent[] = [];
    let failure: TasksError | undefined;
    try {
      for await (const event of client.streamTasks({}, { reconnectDelayMs: 5000 })) seen.push(event);
    } catch (error) {
      failure = error as TasksError;
    }
    expect(seen).toEqual([
      { type: 'ready', id: '5', seq: 5 },
      { type: 'expired', id: '5', code: 'TOKEN_EXPIRED', message: 'the token expired' },
      { type: 'reconnecting', id: '5', attempt: 1, delayMs: 0 },
    ]);
    expect(isAuthenticationError(failure) && failure.status).toBe(401);
    expect(server.seen).toHaveLength(2);
  });

  it('ends at once with a refusal that asking again cannot change (a bad query: its position)', async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(json(400, { code: 'VALIDATION_FAILED', message: 'invalid query: q: column 10: "done" is not a status', violations: [{ field: 'q', message: 'column 10: "done" is not a status', position: 9 }] }));
    const failure = await take(client.streamTasks({ q: 'status = done' }), 1).catch((error: unknown) => error);
    expect(isSearchQueryError(failure) && failure.position).toBe(9);
    expect(server.seen).toHaveLength(1);
  });

  it('tries again after a 503, with the error in reconnecting', async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(json(503, { code: 'LIVE_STREAMS_FULL', message: 'this replica serves 1000 streams' }), events(ready(3), 'hold'));
    const seen = await take(client.streamTasks({}, { reconnectDelayMs: 10 }), 2);
    expect(seen[0]?.type === 'reconnecting' && isUnavailableError(seen[0].error) && seen[0].error.code).toBe('LIVE_STREAMS_FULL');
    expect(seen[1]).toEqual({ type: 'ready', id: '3', seq: 3 });
  });

  it('ends without reconnecting when asked, and gives up after maxReconnects with the last error', async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(events(ready(1)));
    expect(await take(client.streamTasks({}, { reconnect: false }), 5)).toEqual([{ type: 'ready', id: '1', seq: 1 }]);
    server.answer(json(503, { code: 'BUSY', message: 'busy' }));
    const failure = await take(client.streamTasks({}, { reconnectDelayMs: 1, maxReconnects: 2 }), 10).catch((error: unknown) => error);
    expect(isUnavailableError(failure) && failure.code).toBe('BUSY');
    expect(server.seen).toHaveLength(1 + 3);
  });

  it("ends with the caller's reason on abort, also while waiting to reconnect", async () => {
    const client = createTasksClient({ baseUrl: server.url });
    server.answer(events(ready(1), 'hold'));
    const controller = new AbortController();
    const seen: LiveEvent[] = [];
    const run = (async () => {
      for await (const event of client.streamTasks({}, { signal: controller.signal })) {
        seen.push(event);
        controller.abort(new Error('enough'));
      }
    })();
    await expect(run).rejects.toThrow('enough');
    expect(seen).toEqual([{ type: 'ready', id: '1', seq: 1 }]);
    server.answer(events(''));
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(new Error('stop waiting')), 100);
    await expect(take(client.streamTasks({}, { signal: waiting.signal, reconnectDelayMs: 60_000 }), 5)).rejects.toThrow('stop waiting');
  });
});
